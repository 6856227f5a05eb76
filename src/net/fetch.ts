// Outbound HTTP for jobs: every connection goes through the address policy (checked on
// the resolved address, so DNS cannot smuggle a private one in), redirects are followed
// by hand so that each hop is checked the same way, and bodies are read with a byte
// limit while they stream, never buffered whole first.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { AddressPolicy, DeniedAddressError } from './allowList.js';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export interface GuardedFetch {
  /** Like fetch, with redirects followed (at most 5) and every hop's address checked. */
  (url: string, init?: Omit<RequestInit, 'redirect' | 'dispatcher'>): Promise<Response>;
}

/** A fetch that can reach only what `policy` allows. */
export function guardedFetch(policy: AddressPolicy): GuardedFetch {
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      try {
        for (const { address } of addresses) policy.checkAddress(hostname, address);
      } catch (denied) {
        return callback(denied as NodeJS.ErrnoException, []);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
    });
  };
  const dispatcher = new Agent({ connect: { lookup: lookup as never } });

  return async (url, init = {}) => {
    let current = new URL(url);
    let { method = 'GET', body, headers } = init;
    for (let hop = 0; ; hop++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new DeniedAddressError(`${current.protocol} URLs are not fetched`);
      policy.checkHost(current.hostname);
      let response: Response;
      try {
        response = await fetch(current, { ...init, method, body, headers, redirect: 'manual', dispatcher });
      } catch (error) {
        throw deniedCause(error) ?? error;
      }
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || !location) return response;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
      const next = new URL(location, current);
      // As browsers do: 303 (and 301/302 after a POST) become a GET without a body,
      // and credentials are not carried to another origin.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      if (next.origin !== current.origin && headers) {
        headers = Object.fromEntries(Object.entries(headers as Record<string, string>).filter(([name]) => !/^(authorization|cookie|proxy-authorization)$/i.test(name)));
      }
      current = next;
    }
  };
}

/** The policy's refusal behind a fetch failure, if that is what it was. */
function deniedCause(error: unknown): DeniedAddressError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof DeniedAddressError) return cause;
  }
  return undefined;
}

/** Reads at most `maxBytes` of a body as it streams; past that the rest is never downloaded. */
export async function readBounded(response: Response, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return { body: Buffer.alloc(0), truncated: false };
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { body: Buffer.concat(chunks), truncated: false };
    const room = maxBytes - size;
    if (value.byteLength > room) {
      chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
      await reader.cancel();
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    size += value.byteLength;
  }
}
