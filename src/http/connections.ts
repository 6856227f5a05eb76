// How many connections this process holds, and how one over the caps is told so.
//
// MAX_CONNECTIONS (all addresses) and MAX_CONNECTIONS_PER_ADDRESS cap the connections
// this process keeps. A connection over a cap is not dropped unanswered (a reset tells a
// client nothing, and a browser sees a failed WebSocket handshake only as code 1006): it
// is answered and closed. An HTTP request gets 503 (MAX_CONNECTIONS) or 429 (per address)
// with Retry-After; a WebSocket completes its handshake and is closed at once with 1013
// (Try Again Later), the reason naming the limit: graphql-ws clients retry after it.
// Answering costs a little, so at most REFUSING connections wait for their answer at
// once; further ones are dropped, as a flood must not be answered. A connection must
// also start a request within `firstRequestMs` (Node's request timeouts start with the
// first byte, so a socket that sends nothing would stay forever); one over a cap gets
// REFUSAL_WAIT_MS.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../domain/errors.js';
import type { Logger } from '../logger.js';

/** Connections over a cap that may wait for their answer at once; more are dropped. */
const REFUSING = 256;
/** How long a connection over a cap has to send its request. */
const REFUSAL_WAIT_MS = 2000;
/** Seconds a refused client is told to wait (Retry-After). */
const RETRY_AFTER_S = 1;

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  firstRequestMs: number;
}

/** Why a connection is over a cap: the limit, and what the client is told. */
export interface Refusal {
  limit: 'MAX_CONNECTIONS' | 'MAX_CONNECTIONS_PER_ADDRESS';
  max: number;
}

export interface ConnectionCaps {
  /** The refusal a connection over a cap is to be answered with; undefined for one within them. */
  refusalOf(socket: Socket): Refusal | undefined;
}

/** Counts open connections (all, and per address) and marks those over a cap for their refusal. */
export function capConnections(server: Server, limits: ConnectionLimits, logger: Logger): ConnectionCaps {
  const perAddress = new Map<string, number>();
  const refusals = new WeakMap<Socket, Refusal>();
  const started = new WeakSet<Socket>();
  let open = 0;
  let refusing = 0;
  let warned = 0;
  const begin = (socket: Socket) => started.add(socket);
  server.on('request', (req: IncomingMessage) => begin(req.socket));
  server.on('upgrade', (req: IncomingMessage) => begin(req.socket));
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (perAddress.get(address) ?? 0) + 1;
    const refusal: Refusal | undefined =
      open >= limits.maxConnections
        ? { limit: 'MAX_CONNECTIONS', max: limits.maxConnections }
        : count > limits.maxConnectionsPerAddress
          ? { limit: 'MAX_CONNECTIONS_PER_ADDRESS', max: limits.maxConnectionsPerAddress }
          : undefined;
    if (refusal) {
      // Logged at most once a minute: a flood must not become a flood of log lines.
      if (Date.now() - warned > 60_000) {
        warned = Date.now();
        logger.warn({ address, limit: refusal.limit, max: refusal.max }, `connection refused: ${refusal.limit} reached`);
      }
      if (refusing >= REFUSING) {
        socket.destroy();
        return;
      }
      refusing++;
      refusals.set(socket, refusal);
      const cut = setTimeout(() => socket.destroy(), REFUSAL_WAIT_MS).unref();
      socket.once('close', () => {
        refusing--;
        clearTimeout(cut);
      });
      return;
    }
    open++;
    perAddress.set(address, count);
    const silent = setTimeout(() => started.has(socket) || socket.destroy(), limits.firstRequestMs).unref();
    socket.once('close', () => {
      clearTimeout(silent);
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
  return { refusalOf: (socket) => refusals.get(socket) };
}

/** What the client is told: which limit, and to try again. */
export function refusalMessage(refusal: Refusal): string {
  const whose = refusal.limit === 'MAX_CONNECTIONS' ? 'this server holds' : 'this server holds from one address';
  return `Try again later: ${whose} at most ${refusal.max} connections (${refusal.limit})`;
}

/** Answers an HTTP request on a connection over a cap, and closes the connection. */
export function refuseRequest(res: ServerResponse, refusal: Refusal): void {
  const status = refusal.limit === 'MAX_CONNECTIONS' ? 503 : 429;
  const code: ErrorCode = refusal.limit === 'MAX_CONNECTIONS' ? 'SERVICE_UNAVAILABLE' : 'LIMIT_EXCEEDED';
  res.once('finish', () => res.socket?.destroy());
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(RETRY_AFTER_S), connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message: `${refusalMessage(refusal)}.`, extensions: { code, limit: refusal.limit, max: refusal.max, retryAfterMs: RETRY_AFTER_S * 1000 } }] }));
}
