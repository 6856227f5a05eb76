import { z } from 'zod';
import { DeniedAddressError, type AddressPolicy } from '../net/allowList.js';
import { readBounded, type GuardedFetch } from '../net/fetch.js';
import { defineHandler, PermanentError } from './handler.js';

/** Most bytes of a response body kept in the result (results are stored in PostgreSQL). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface NetSettings {
  policy: AddressPolicy;
  fetch: GuardedFetch;
}

/** An http(s) URL whose host the policy does not refuse by name or address literal (checked at submit). */
export function publicUrl(policy: AddressPolicy) {
  return z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(2048)
    .check((ctx) => {
      let host: string;
      try {
        host = new URL(ctx.value).hostname;
      } catch {
        return; // not a URL: the format check has said so
      }
      try {
        policy.checkHost(host);
      } catch (error) {
        if (!(error instanceof DeniedAddressError)) throw error;
        ctx.issues.push({ code: 'custom', message: `refused: ${error.message}`, input: ctx.value });
      }
    });
}

/** Runs `fetch`, turning an address the policy refuses into a permanent failure (retrying cannot help). */
export async function fetchOrRefuse<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof DeniedAddressError) throw new PermanentError(`refused: ${error.message}`);
    throw error;
  }
}

export function httpRequest(net: NetSettings) {
  return defineHandler({
    name: 'http.request',
    description:
      'Performs an HTTP request (public addresses only, unless HTTP_ALLOW_HOSTS allows more; at most 5 redirects). A 2xx response completes the job with { status, headers, body } (body cut at 1 MB, with truncated: true); any other status or a network error fails the attempt, so it is retried.',
    payload: z
      .object({
        url: publicUrl(net.policy),
        method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
        headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
        body: z.string().max(1024 * 1024).optional(),
        timeoutMs: z.number().int().min(1).max(600_000).optional(),
      })
      .strict(),
    async run({ url, method, headers, body, timeoutMs }, ctx) {
      const signal = timeoutMs === undefined ? ctx.signal : AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
      const response = await fetchOrRefuse(() => net.fetch(url, { method, headers, body, signal }));
      const { body: bytes, truncated } = await readBounded(response, MAX_RESPONSE_BYTES);
      const result = {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: bytes.toString('utf8'),
        ...(truncated ? { truncated: true } : {}),
      };
      if (!response.ok) {
        throw new Error(`${method} ${url} answered ${response.status} ${response.statusText}`.trim());
      }
      return result;
    },
  });
}
