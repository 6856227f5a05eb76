// The GraphQL schema: each module below adds its types and fields to the builder.
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './bulk.js';
import './flows.js';
import './job.js';
import './jobTokens.js';
import './mutations.js';
import './queues.js';
import './schedules.js';
import './stats.js';
import './workers.js';
import './subscriptions.js';
import './viewer.js';
import './work.js';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
