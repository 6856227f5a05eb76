// Enforces API key scopes on every operation, over HTTP and WebSocket alike (both run
// through Yoga's envelop): queries and subscriptions need jobs:read, mutations
// jobs:write; admin holds both.
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { refuseBeforeRunning } from '../http/limits.js';
import { allows, type Scope } from './apiKeys.js';

function refusal(args: ExecutionArgs): GraphQLError | undefined {
  const { caller } = args.contextValue as Context;
  if (caller.kind === 'anonymous') {
    return new GraphQLError(`Unauthenticated: ${caller.problem}.`, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  const operation = getOperationAST(args.document, args.operationName)?.operation;
  const scope: Scope = operation === 'mutation' ? 'jobs:write' : 'jobs:read';
  return allows(caller, scope) ? undefined : forbidden(scope);
}

function forbidden(scope: Scope): GraphQLError {
  return new GraphQLError(`Forbidden: this API key lacks the ${scope} scope.`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/** For the few fields that need more than their operation's scope (queue control needs admin). */
export function requireScope(ctx: Context, scope: Scope): void {
  if (!allows(ctx.caller, scope)) throw forbidden(scope);
}

export function useApiKeyScopes(): Plugin {
  return refuseBeforeRunning(refusal);
}
