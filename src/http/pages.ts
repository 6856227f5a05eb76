// The HTML the service serves to people: the dashboard and GraphiQL. Both are served
// with a Content-Security-Policy that allows exactly their own inline scripts (by hash),
// nothing from another origin, and no framing (clickjacking).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { findUp } from '../paths.js';
import { EXAMPLE_QUERY } from './exampleQuery.js';

export interface Page {
  body: Buffer;
  headers: Record<string, string>;
}

function scriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)].map(
    ([, script]) => `'sha256-${createHash('sha256').update(script ?? '').digest('base64')}'`,
  );
}

function page(html: string, extra: string[] = []): Page {
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes(html).join(' ')}`,
    // Editors and the dashboard set styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...extra,
  ].join('; ');
  return {
    body: Buffer.from(html),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': policy,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  };
}

export function dashboardPage(): Page {
  return page(readFileSync(findUp('public/dashboard.html'), 'utf8'));
}

/** GraphiQL from the installed package (its scripts and styles are inline: nothing loads from a CDN). */
export function graphiqlPage(): Page {
  const html = renderGraphiQL({ title: 'jobgraph', defaultQuery: EXAMPLE_QUERY, endpoint: '/graphql', subscriptionsProtocol: 'SSE' });
  // Its editors run their language services in workers made from blobs.
  return page(html, ['worker-src blob:']);
}
