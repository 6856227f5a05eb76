// The HTTP server: the dashboard at /, GraphQL at /graphql, liveness at /health,
// readiness at /ready, Prometheus metrics at /metrics.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { requestScope } from '../logger.js';
import { findUp } from '../paths.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Yoga } from './yoga.js';

/** A dependency the readiness probe checks; resolves when it answers. */
export type Probe = () => Promise<unknown>;

const PROBE_TIMEOUT_MS = 2000;

async function readiness(probes: Record<string, Probe>): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS).unref()),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, `unavailable: ${(error as Error).message}`] as const;
      }
    }),
  );
  return { ok: entries.every(([, state]) => state === 'ok'), checks: Object.fromEntries(entries) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createHttpServer(yoga: Yoga | null, probes: Record<string, Probe>, metrics: Registry, logger: Logger): Server {
  // The dashboard is one static page on the public API; read once.
  const dashboard = yoga ? readFileSync(findUp('public/dashboard.html')) : null;
  // The typed client, bundled for browsers (npm run bundle:client): the dashboard uses it.
  const clientBundle = yoga ? readFileSync(findUp('public/client.js')) : null;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (dashboard && path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : dashboard);
      return;
    }
    if (clientBundle && path === '/client.js' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(clientBundle);
      return;
    }
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') {
      void readiness(probes).then(({ ok, checks }) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable', checks }));
      return;
    }
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        (error: unknown) => {
          logger.warn({ err: error }, 'metrics not collected');
          sendJson(res, 503, { error: 'metrics unavailable' });
        },
      );
      return;
    }
    if (yoga && path === '/graphql') {
      // A caller's own request id (from a proxy, say) is kept if it is plain; else one is made.
      const given = req.headers['x-request-id'];
      const requestId = typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', requestId);
      void requestScope.run({ requestId }, () => Promise.resolve(yoga.requestListener(req, res))).catch((error: unknown) => {
        logger.error({ err: error }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
      });
      return;
    }
    sendJson(res, 404, { error: `nothing at ${path}; GraphQL is at /graphql` });
  });
}
