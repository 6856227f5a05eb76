// GraphQL over WebSocket (graphql-ws) on the HTTP server's port and GraphQL path. Every
// operation goes through Yoga's getEnveloped, so WebSocket clients get the same
// plugins, context and error masking as HTTP ones.
import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Yoga } from './yoga.js';

/** Yoga's enveloped execute and subscribe, carried to graphql-ws through rootValue. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

export interface WebSockets {
  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
}

export function attachWebSockets(server: Server, yoga: Yoga, maxPayloadBytes: number): WebSockets {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: maxPayloadBytes });
  const graphqlWs = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
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
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
    },
    wss,
  );
  return { close: async () => graphqlWs.dispose() };
}
