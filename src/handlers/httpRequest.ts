import { z } from 'zod';
import { defineHandler } from './handler.js';

const MAX_RESPONSE_CHARS = 1024 * 1024;

export const httpRequest = defineHandler({
  name: 'http.request',
  description:
    'Performs an HTTP request. A 2xx response completes the job with { status, headers, body }; any other status or a network error fails the attempt, so it is retried.',
  payload: z
    .object({
      url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048),
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
      headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
      body: z.string().max(1024 * 1024).optional(),
      timeoutMs: z.number().int().min(1).max(600_000).optional(),
    })
    .strict(),
  async run({ url, method, headers, body, timeoutMs }, ctx) {
    const signal = timeoutMs === undefined ? ctx.signal : AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
    const response = await fetch(url, { method, headers, body, signal, redirect: 'follow' });
    const text = await response.text();
    // Results are stored in PostgreSQL: keep a runaway response from bloating the row.
    const truncated = text.length > MAX_RESPONSE_CHARS;
    const result = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: truncated ? text.slice(0, MAX_RESPONSE_CHARS) : text,
      ...(truncated ? { truncated: true } : {}),
    };
    if (!response.ok) {
      throw new Error(`${method} ${url} answered ${response.status} ${response.statusText}`.trim());
    }
    return result;
  },
});
