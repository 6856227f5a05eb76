// GraphQL over HTTP (graphql-yoga): GraphiQL at /graphql, parser and validation caches,
// request body limit, and error masking that logs what it hides.
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { useApiKeyScopes } from '../auth/plugin.js';
import { createContext, type Context, type InitialContext, type Services } from '../context.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { buildSchema } from '../schema/index.js';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export function createGraphQLServer(services: Services): Yoga {
  const { config, logger } = services;
  return createYoga<Record<string, unknown>, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(services, initial as InitialContext),
    plugins: [
      useApiKeyScopes(),
      // GraphQL operation durations (and errors) into the same registry as /metrics.
      usePrometheus({
        registry: services.metrics.registry,
        endpoint: false,
        metrics: {
          graphql_envelop_request_duration: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_phase_subscribe: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
        },
      }),
      // Bounds on what one document may ask for (depth, aliases, cost, tokens, directives).
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 30 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 5000 },
        // Cost counts each field once per item a page may hold (`first`/`last`), so a
        // page of 500 jobs with 100 fields' worth fits, and nested pages multiply.
        costLimit: { maxCost: 50_000, objectCost: 1, scalarCost: 1, depthCostFactor: 1 },
        blockFieldSuggestion: { enabled: false },
      }),
    ],
    graphiql: { title: 'jobgraph', defaultQuery: EXAMPLE_QUERY },
    landingPage: false,
    maxRequestBodySize: config.MAX_BODY_BYTES,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        if (isDatabaseUnavailable(original)) {
          logger.warn({ err: original }, 'PostgreSQL unreachable');
          return new GraphQLError('Service unavailable: the database cannot be reached. Nothing was changed; try again shortly.', {
            path: error instanceof GraphQLError ? error.path : undefined,
            extensions: { code: 'SERVICE_UNAVAILABLE' },
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

const EXAMPLE_QUERY = `# Submit a job, then look it up by the id it returns.
mutation Submit {
  submitJob(input: { type: "echo", payload: { hello: "world" } }) {
    job { id status }
    userErrors { code field message }
  }
}

query Recent {
  jobs(first: 10) {
    totalCount
    nodes { id type status result lastError createdAt }
  }
  jobStats { total pending running completed failed }
}

# Watch events live (run it, then submit jobs in another tab). Pass
# after: "<event id>" to replay everything since that event first.
subscription Watch {
  jobEvents { id type status progress job { id type } }
}
`;
