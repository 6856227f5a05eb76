// Enforces scopes on every operation, over HTTP, WebSocket and SSE alike (all run
// through Yoga's envelop): queries and subscriptions need a read scope, mutations a
// write scope (jobs:read or jobs:read:own; jobs:write or jobs:write:own; admin holds
// all); the worker protocol's fields need jobs:work. A token that expired while its WebSocket stayed open is refused here too.
import { getOperationAST, GraphQLError, Kind, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { refuseBeforeRunning } from './limits.js';
import { expired, holds, mayRead, mayWrite, WORKER_FIELDS, type Caller, type Scope } from '../auth/caller.js';
import { graphqlError } from '../domain/errors.js';

export function unauthenticated(problem: string): GraphQLError {
  return graphqlError('UNAUTHENTICATED', `Unauthenticated: ${problem}.`, { http: { status: 401 } });
}

/** Why the caller may not run this operation, if it may not. */
export function scopeRefusal(args: ExecutionArgs): GraphQLError | undefined {
  const { caller } = args.contextValue as Context;
  if (caller.kind === 'anonymous') {
    if (caller.unavailable) return graphqlError('SERVICE_UNAVAILABLE', `Service unavailable: ${caller.problem}.`, { http: { status: 503 } });
    return unauthenticated(caller.problem);
  }
  if (expired(caller)) return unauthenticated('token expired; sign in again (a subscription resumes with `after`)');
  const ast = getOperationAST(args.document, args.operationName);
  const operation = ast?.operation;
  // A worker's operation (only protocol fields, no fragments) needs jobs:work alone; each of
  // those fields checks it too (requireScope), so mixing them with others needs both.
  const selections = ast?.selectionSet.selections ?? [];
  if (selections.length > 0 && selections.every((selection) => selection.kind === Kind.FIELD && WORKER_FIELDS.has(selection.name.value))) {
    return holds(caller, 'jobs:work') ? undefined : forbidden(caller, 'jobs:work');
  }
  if (operation === 'mutation') return mayWrite(caller) ? undefined : forbidden(caller, 'jobs:write or jobs:write:own');
  return mayRead(caller) ? undefined : forbidden(caller, 'jobs:read or jobs:read:own');
}

function forbidden(caller: Caller, needed: string): GraphQLError {
  const credential = caller.kind === 'known' && caller.who.credential !== 'key' ? 'token' : 'API key';
  return graphqlError('FORBIDDEN', `Forbidden: this ${credential} lacks the ${needed} scope.`, { http: { status: 403 } });
}

/** For the few fields that need more than their operation's scope (queue control needs admin). */
export function requireScope(ctx: Context, scope: Scope): void {
  if (!holds(ctx.caller, scope)) throw forbidden(ctx.caller, scope);
}

export function useScopes(): Plugin {
  return refuseBeforeRunning(scopeRefusal);
}
