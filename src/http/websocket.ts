// GraphQL over WebSocket (graphql-ws) on the HTTP server's port and GraphQL path. Every
// operation goes through Yoga's getEnveloped, so WebSocket clients get the same
// plugins, context and error masking as HTTP ones. The API key is checked when the
// socket opens (connection_init), not at its first operation: a socket without a valid
// key is closed (4401 without one, 4403 with a wrong one) and holds nothing.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticate.js';
import { authorization, type Context } from '../context.js';
import { mayRead } from '../auth/caller.js';
import { scopeRefusal } from './scopes.js';
import { shareable, type JoinRequest, type SharedSubscriptions } from './sharedSubscriptions.js';
import type { Yoga } from './yoga.js';
import type { HttpServer } from './server.js';
import { refusalMessage } from './connections.js';
import { type ErrorCode } from '../domain/errors.js';

/** Yoga's enveloped execute and subscribe, carried to graphql-ws through rootValue, and how the operation is shared. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
  share?: Omit<JoinRequest, 'start' | 'cursorOf'>;
}

export interface WebSockets {
  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
}

export interface WebSocketLimits {
  /** Largest message a client may send. */
  maxPayloadBytes: number;
  /** Operations one socket may have running at once. */
  maxSubscriptions: number;
  /** Events that may wait for one slow subscriber of a shared event stream (SUBSCRIPTION_BUFFER_SIZE). */
  bufferSize: number;
}

/** Bytes a socket may hold unsent before a sender waits for them to leave (see coalesceWrites): 10,000 sockets hold at most 640 MB. */
const UNSENT_BYTES_LIMIT = 64 * 1024;

/**
 * Turns of the event loop, as coalesceWrites counts them: one timer per turn for all
 * sockets, so 10,000 subscribers sent one event each cost no more than before.
 */
const turns = {
  current: 0,
  scheduled: false,
  corked: [] as Socket[],
  /** Called on each send: makes sure this turn ends by uncorking what it corked. */
  touch(): number {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.current++;
        const corked = this.corked;
        this.corked = [];
        for (const socket of corked) socket.uncork();
      });
    }
    return this.current;
  },
};

/**
 * The second and later messages sent to one socket in the same turn of the event loop
 * leave in one write with the first: the socket is corked at the second and uncorked
 * when the turn's work is done. A subscriber of a busy stream gets many events per turn,
 * and one system call per message was the largest cost of sending them (profiled: 10%
 * of the API thread at 1,000 jobs/s); a socket sent one message a turn (fan-out to many
 * subscribers) writes it at once, as before. graphql-ws sends a subscription's next
 * event only once the last one was written, so while little is unsent a corked send
 * reports success at once; past UNSENT_BYTES_LIMIT it waits for the write, and a slow
 * client holds back its own stream (SUBSCRIBER_TOO_SLOW, streams.ts), not this
 * process's memory.
 */
function coalesceWrites(socket: WebSocket, request: IncomingMessage): void {
  const raw = request.socket; // the connection ws writes to
  const send = socket.send.bind(socket);
  let lastTurn = -1;
  let corked = false;
  type Options = Parameters<WebSocket['send']>[1];
  type Callback = (error?: Error) => void;
  socket.send = ((data: Parameters<WebSocket['send']>[0], optionsOrCallback?: Options | Callback, maybeCallback?: Callback) => {
    // ws's own signature: send(data, [options], [callback]).
    const options = typeof optionsOrCallback === 'function' ? {} : (optionsOrCallback ?? {});
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    const turn = turns.touch();
    if (turn !== lastTurn) {
      lastTurn = turn;
      corked = false;
      return send(data, options, callback);
    }
    if (!corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      turns.corked.push(raw);
    }
    if (!callback || raw.writableLength >= UNSENT_BYTES_LIMIT) return send(data, options, callback);
    send(data, options);
    queueMicrotask(() => callback());
  }) as WebSocket['send'];
}

export function attachWebSockets(http: HttpServer, yoga: Yoga, auth: Authenticator, limits: WebSocketLimits, shared: SharedSubscriptions): WebSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes });
  http.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== yoga.graphqlEndpoint) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (webSocket) => {
      // Over a cap: told so with a close code (a browser sees nothing of a refused handshake), see connections.ts.
      const refusal = http.caps.refusalOf(request.socket);
      if (refusal) webSocket.close(1013, refusalMessage(refusal));
      else wss.emit('connection', webSocket, request);
    });
  });
  wss.on('connection', coalesceWrites);
  const graphqlWs = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        if (!root.share) return root.subscribe(args) as never;
        return shared.join({ ...root.share, start: async () => (await root.subscribe(args)) as never, cursorOf: args.contextValue as Context }) as never;
      },
      onConnect: async (ctx) => {
        // Every operation of this socket is built on its upgrade request: the caller found here is theirs.
        const given = authorization({ connectionParams: ctx.connectionParams });
        const caller = await auth.callerOf(ctx.extra.request, given);
        if (caller.kind !== 'anonymous') return true;
        // Close reasons are at most 123 bytes. 1013: try again later (the identity provider is out of reach).
        if (caller.unavailable) {
          ctx.extra.socket.close(1013, 'Try again later: the keys of JWT_JWKS_URL cannot be fetched');
          return false;
        }
        const reason = given !== null ? `Forbidden: ${caller.problem}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 120) : 'Unauthorized: send connectionParams.authorization';
        ctx.extra.socket.close(given !== null ? 4403 : 4401, reason);
        return false;
      },
      onSubscribe: async (ctx, id, params) => {
        // graphql-ws has registered this operation already, so it counts itself.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptions) {
          return [
            new GraphQLError(
              `Limit exceeded: at most ${limits.maxSubscriptions} operations at once on one connection (MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first, or open another connection.`,
              { extensions: { code: 'LIMIT_EXCEEDED' satisfies ErrorCode, limit: 'MAX_SUBSCRIPTIONS_PER_CONNECTION', max: limits.maxSubscriptions } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        const contextValue = (await contextFactory()) as unknown as Context;
        const root: EnvelopedRoot = { execute, subscribe };
        const mode = shareable(document, params.operationName);
        if (mode) {
          // A subscriber joining a running execution skips its plugins: its own caller is checked here.
          const refused = scopeRefusal({ schema, document, operationName: params.operationName, contextValue } as ExecutionArgs);
          if (refused) return [refused];
          const { caller, reads } = contextValue;
          const key = JSON.stringify([params.query, params.operationName ?? null, params.variables ?? null, reads, mayRead(caller)]);
          // The shared source outlives its first subscriber's credential: each member expires on its own.
          contextValue.shared = true;
          root.share = { key, mode, socket: ctx.extra.socket, id, expiresAt: caller.kind === 'known' ? caller.who.expiresAt : null, bufferSize: limits.bufferSize };
        }
        return { schema, document, operationName: params.operationName, variableValues: params.variables, contextValue, rootValue: root };
      },
    },
    wss,
  );
  return { close: async () => graphqlWs.dispose() };
}
