// GraphQL over HTTP (graphql-yoga): parser and validation caches, request body limit,
// bounds on documents, and error masking that logs what it hides. GraphiQL is served
// by the HTTP server (pages.ts) from the installed package.
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { useScopes } from './scopes.js';
import { createContext, type Context, type InitialContext, type Services } from '../context.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { buildSchema } from '../schema/index.js';
import { useDocumentNesting, useQueryCost, useResponseLimit } from './limits.js';
import { type ErrorCode } from '../domain/errors.js';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQLServer(services: Services): Yoga {
  const { config, logger } = services;
  return createYoga<Record<string, unknown>, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(services, initial as InitialContext),
    plugins: [
      // Before any parser runs: a document nested thousands deep would overflow the stack.
      useDocumentNesting(),
      useScopes(),
      // GraphQL operation durations (and errors) into the same registry as /metrics.
      // Labels come from a bounded set only: operation names, URLs and error paths are
      // chosen by clients (a 10 MB operation name once broke every scrape), so none is a label.
      usePrometheus({
        registry: services.metrics.registry,
        endpoint: false,
        labels: { operationName: false, path: false, url: false, fieldName: false, typeName: false },
        metrics: {
          graphql_envelop_request_duration: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_phase_subscribe: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
        },
      }),
      // Bounds on what one document may ask for (depth, aliases, tokens, directives).
      // Its cost, which depends on variables, is checked at execution (useQueryCost, limits.ts).
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 30 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 5000 },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: false },
      }),
      useQueryCost(config.MAX_QUERY_COST),
      useResponseLimit(),
    ],
    graphiql: false,
    landingPage: false,
    // Browsers of other origins may call the API only from CORS_ORIGINS.
    cors: config.CORS_ORIGINS.length ? { origin: config.CORS_ORIGINS, credentials: false, methods: ['GET', 'POST', 'OPTIONS'] } : false,
    maxRequestBodySize: config.MAX_BODY_BYTES,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        if (isDatabaseUnavailable(original)) {
          logger.warn({ err: original }, 'PostgreSQL unreachable');
          return new GraphQLError('Service unavailable: the database cannot be reached. Nothing was changed; try again shortly.', {
            path: error instanceof GraphQLError ? error.path : undefined,
            extensions: { code: 'SERVICE_UNAVAILABLE' satisfies ErrorCode },
          });
        }
        // Errors we raise on purpose are GraphQLErrors with a code: shown as they are.
        if (!(original instanceof GraphQLError)) {
          logger.error({ err: original, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error in a resolver');
        }
        return maskError(error, message, isDev);
      },
    },
  });
}
