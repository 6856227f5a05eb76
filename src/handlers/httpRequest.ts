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

/**
 * A request that got no answer, named by its real cause: fetch says only "fetch failed"
 * and hides why in error.cause (a system error's code: ECONNREFUSED, ENOTFOUND,
 * ECONNRESET; a TLS error's: CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID; undici's
 * UND_ERR_CONNECT_TIMEOUT). Its `code` is that cause's (the attempt's error is named by
 * it); the original stays its cause.
 */
export class RequestError extends Error {
  readonly code: string;

  constructor(what: string, error: unknown) {
    // The innermost cause says why; the innermost code names it.
    let root: unknown = error;
    let code: string | undefined;
    for (let cause: unknown = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 10; cause = (cause as { cause?: unknown }).cause, depth += 1) {
      root = cause;
      const found = (cause as { code?: unknown }).code;
      if (typeof found === 'string' && found) code = found;
    }
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const message = timedOut ? 'no response within its timeoutMs' : root instanceof Error ? root.message : String(root);
    super(`${what}: ${message}`, { cause: error });
    this.name = 'RequestError';
    this.code = code ?? (timedOut ? 'TIMEOUT' : error instanceof Error ? error.name : 'Error');
  }
}

/**
 * Runs `fetch`: an address the policy refuses is a permanent failure (retrying cannot
 * help); a request that got no answer says why (RequestError).
 */
export async function fetchOrRefuse<T>(request: () => Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof DeniedAddressError) throw new PermanentError(`refused: ${error.message}`, { cause: error });
    // The job's own signal (cancel, its timeout, shutdown) is the worker's to tell.
    if (signal?.aborted && error === signal.reason) throw error;
    throw new RequestError(what, error);
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
      const response = await fetchOrRefuse(() => net.fetch(url, { method, headers, body, signal }), `${method} ${url}`, ctx.signal);
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
