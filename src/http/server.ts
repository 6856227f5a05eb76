// The HTTP server: the dashboard at /, GraphQL (and GraphiQL) at /graphql, liveness at
// /health, readiness at /ready, Prometheus metrics at /metrics.
//
// What reaches Yoga has passed the cheap checks first: a connection over the caps is
// answered that it is and closed (connections.ts), a request that trickles in is cut after REQUEST_TIMEOUT_MS, a GraphQL
// request without a valid API key is answered 401 before its body is read, and a POST
// must say it is JSON (a form post from another site, which browsers send without
// asking, is refused: CSRF).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { ErrorCode } from '../domain/errors.js';
import type { Authenticator } from '../auth/authenticate.js';
import { requestScope, type Logger } from '../logger.js';
import { inRequestSpan } from '../tracing/tracing.js';
import { readFileSync } from 'node:fs';
import { findUp } from '../paths.js';
import { dashboardPage, graphiqlPage, type Page } from './pages.js';
import { capConnections, refuseRequest, type ConnectionCaps } from './connections.js';
import type { Yoga } from './yoga.js';

/** A dependency the readiness probe checks; resolves when it answers. */
export type Probe = () => Promise<unknown>;

const PROBE_TIMEOUT_MS = 2000;
/** The dashboard's pages: /, /jobs, /jobs/<id>, /flows, /flows/<id>, /queues, /schedules, /workers. */
const DASHBOARD_PATHS = /^\/(?:jobs(?:\/[\w-]{1,64})?|flows(?:\/[\w-]{1,64})?|queues|schedules|workers)?\/?$/;
const JSON_TYPES = /^application\/(json|graphql\+json|graphql-response\+json)\s*(;|$)/i;

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

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** A refusal before the body is read: the connection closes after it, so the body is never drained. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  res.once('finish', () => req.socket.destroy());
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, { connection: 'close' });
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: Page): void {
  res.writeHead(200, page.headers);
  res.end(req.method === 'HEAD' ? undefined : page.body);
}

export interface HttpOptions {
  yoga: Yoga | null;
  auth: Authenticator;
  probes: Record<string, Probe>;
  metrics: Pick<Registry, 'metrics' | 'contentType'>;
  logger: Logger;
  limits: { maxConnections: number; maxConnectionsPerAddress: number; requestTimeoutMs: number };
  graphiql: boolean;
}

export interface HttpServer {
  server: Server;
  /** Which connections are over MAX_CONNECTIONS or MAX_CONNECTIONS_PER_ADDRESS (WebSockets refuse them too). */
  caps: ConnectionCaps;
}

export function createHttpServer(options: HttpOptions): HttpServer {
  /** Authenticates a GraphQL request and checks its content type, answering it when refused. */
  const admit = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const caller = await options.auth.callerOf(req, req.headers.authorization);
    if (caller.kind === 'anonymous') {
      if (caller.unavailable) refuse(req, res, 503, 'SERVICE_UNAVAILABLE', `Service unavailable: ${caller.problem}.`);
      else refuse(req, res, 401, 'UNAUTHENTICATED', `Unauthenticated: ${caller.problem}.`);
      return false;
    }
    if (req.method === 'POST' && !JSON_TYPES.test(req.headers['content-type'] ?? '')) {
      refuse(req, res, 415, 'BAD_REQUEST', 'POST requests must have content-type application/json.');
      return false;
    }
    return true;
  };
  const { yoga, probes, metrics, logger, limits } = options;
  // Pages are built once; GraphiQL only where it is turned on.
  const dashboard = yoga ? dashboardPage() : null;
  const graphiql = yoga && options.graphiql ? graphiqlPage() : null;
  // The typed client and the dashboard, bundled for browsers (npm run bundle:client).
  const scripts = yoga ? new Map(['/client.js', '/dashboard.js'].map((name) => [name, readFileSync(findUp(`public${name}`))])) : new Map<string, Buffer>();

  const server = createServer(
    // Node checks the request timeouts below on this interval.
    { requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.requestTimeoutMs, 10_000), connectionsCheckingInterval: 1000 },
    (req: IncomingMessage, res: ServerResponse) => {
      const refusal = caps.refusalOf(req.socket);
      if (refusal) return refuseRequest(res, refusal);
      const path = (req.url ?? '/').split('?')[0];
      const readOnly = req.method === 'GET' || req.method === 'HEAD';
      // Each dashboard page has its own URL: a reload or a link lands on the same page.
      if (dashboard && readOnly && DASHBOARD_PATHS.test(path ?? '')) return sendPage(req, res, dashboard);
      const script = req.method === 'GET' ? scripts.get(path ?? '') : undefined;
      if (script) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        res.end(script);
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
        // GraphiQL: a page for people, asked for by a browser's navigation.
        if (readOnly && (req.headers.accept ?? '').includes('text/html')) {
          if (graphiql) return sendPage(req, res, graphiql);
          return sendJson(res, 404, { error: 'GraphiQL is turned off here (GRAPHIQL=false); send GraphQL requests to /graphql' });
        }
        // CORS preflights carry no credentials; Yoga answers them from CORS_ORIGINS.
        // The body stays unread (paused in the socket) while the credential is checked.
        const checked = req.method === 'OPTIONS' ? Promise.resolve(true) : admit(req, res);
        void checked
          .then((admitted) => {
            if (!admitted) return;
            // A caller's own request id (from a proxy, say) is kept if it is plain; else one is made.
            const given = req.headers['x-request-id'];
            const requestId = typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
            res.setHeader('x-request-id', requestId);
            // Traced (when tracing is on) as a SERVER span joined to the caller's traceparent.
            return inRequestSpan(`${req.method} /graphql`, req.headers, (span) => {
              res.once('close', () => span.end());
              return requestScope.run({ requestId }, () => Promise.resolve(yoga.requestListener(req, res)));
            });
          })
          .catch((error: unknown) => {
            logger.error({ err: error }, 'request failed');
            if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
          });
        return;
      }
      sendJson(res, 404, { error: `nothing at ${path}; GraphQL is at /graphql` });
    },
  );
  const caps = capConnections(server, { maxConnections: limits.maxConnections, maxConnectionsPerAddress: limits.maxConnectionsPerAddress, firstRequestMs: limits.requestTimeoutMs }, logger);
  return { server, caps };
}
