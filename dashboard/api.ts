// The dashboard's link to the service: the typed client (queries, mutations, and
// subscriptions over graphql-ws), the credential kept in the browser, and what the
// credential may do (Query.viewer), so actions it may not take are not offered.
import type { ResultOf, TypedDocumentNode, VariablesOf } from '@graphql-typed-document-node/core';
import { createJobgraphClient, JobgraphError } from '@jobgraph/client';
import type { DashboardViewerQuery } from './gql/graphql.js';

const STORAGE_KEY = 'jobgraph.apiKey';
const url = new URL('/graphql', location.href).href;

/** Whether the WebSocket is connected now, for the header's badge. */
export const connection = { connected: false, listeners: new Set<(connected: boolean) => void>() };

function connect(apiKey: string) {
  // No reconnects of its own: a break reaches the subscribers, which resubscribe after
  // the last event they saw (graphql-ws would resend their first cursor).
  return createJobgraphClient({
    url,
    apiKey: apiKey || undefined,
    retryAttempts: 0,
    onConnection: (connected) => {
      connection.connected = connected;
      for (const listener of connection.listeners) listener(connected);
    },
  });
}

export let credential = localStorage.getItem(STORAGE_KEY) ?? '';
export let client = connect(credential);

export function useCredential(value: string): void {
  credential = value.trim();
  localStorage.setItem(STORAGE_KEY, credential);
  void client.close();
  client = connect(credential);
}

export type Viewer = DashboardViewerQuery['viewer'];

export const can = (viewer: Viewer | null, scope: 'read' | 'write' | 'admin'): boolean => {
  if (!viewer) return false;
  const scopes = viewer.scopes;
  if (scopes.includes('admin')) return true;
  if (scope === 'read') return scopes.some((s) => s.startsWith('jobs:read'));
  if (scope === 'write') return scopes.some((s) => s.startsWith('jobs:write'));
  return false;
};

/** An operator: no tenant, and reads every job (the server lists workers only to such callers). */
export const isOperator = (viewer: Viewer | null): boolean => viewer !== null && viewer.tenant === null && (viewer.scopes.includes('admin') || viewer.scopes.includes('jobs:read'));

/** A refusal in one line: the userErrors' own messages (which name their field), or the codes and message. */
export function describe(error: unknown): string {
  if (error instanceof JobgraphError) {
    if (error.userErrors.length) return error.userErrors.map((e) => `${e.code}: ${e.message}`).join('; ');
    const codes = error.codes.filter(Boolean);
    return codes.length ? `${codes.join(', ')}: ${error.message}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A typed document's result, for its variables. Typed from the document as a whole, not
 * from T and V apart: a document picked from a map (a union of documents) then answers
 * with the union of their results, and a call site checks its variables against each.
 */
export function gql<D extends TypedDocumentNode<unknown, never>>(document: D, variables: VariablesOf<D>): Promise<ResultOf<D>> {
  // The same document, with its result and variables spelled as the client takes them.
  return client.query(document as unknown as TypedDocumentNode<ResultOf<D>, VariablesOf<D>>, variables);
}

/** A payload's userErrors as a thrown JobgraphError, as the typed client's own methods do. */
export function checked<T extends { userErrors: { code: string; field?: string[] | null; message: string }[] }>(payload: T): T {
  if (payload.userErrors.length) throw new JobgraphError(payload.userErrors.map((e) => e.message).join('; '), payload.userErrors);
  return payload;
}
