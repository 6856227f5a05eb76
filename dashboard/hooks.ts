// Small hooks the pages share: a query that reloads on demand (and on live events), a
// live event feed resumed from the last id after any break, and the current path.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ErrorCode, JobgraphError } from '@jobgraph/client';
import { client, connection, describe } from './api.js';
import { graphql } from './gql/index.js';
import type { DashboardJobEventsSubscription, JobEventFilter } from './gql/graphql.js';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** Runs `query` now, whenever `key` changes, and on reload(); at most one reload in flight, the last asked for wins. */
export function useQuery<T, V>(query: TypedDocumentNode<T, V>, variables: NoInfer<V>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [tick, setTick] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;
  useEffect(() => {
    let current = true;
    client.query(query, vars.current).then(
      (data) => current && setState({ data, error: null }),
      (error: unknown) => current && setState((previous) => ({ data: previous.data, error: describe(error) })),
    );
    return () => {
      current = false;
    };
  }, [query, key, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...state, reload };
}

const EVENTS = graphql(`
  subscription DashboardJobEvents($after: ID, $filter: JobEventFilter) {
    jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type flowId } }
  }
`);

export type LiveEvent = DashboardJobEventsSubscription['jobEvents'];

/** Errors after which subscribing again cannot help: the credential or the request is at fault. */
const PERMANENT = new Set<string>([ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.BAD_USER_INPUT, ErrorCode.NOT_FOUND, ErrorCode.LIMIT_EXCEEDED]);

/**
 * Live job events (matching `filter`) to `onEvent`. After a break (the connection drops,
 * the subscription ends), it subscribes again after the last id it saw: nothing is
 * missed and nothing comes twice (ids at or below the last are dropped). Events pruned
 * meanwhile (EVENTS_PRUNED) restart it from now; a refusal stops it.
 */
export function useEvents(onEvent: (event: LiveEvent) => void, filter: JobEventFilter | null = null): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    let lastId: bigint | null = null;
    let stopped = false;
    let unsubscribe = () => undefined as void;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 500;
    const start = () => {
      unsubscribe = client.subscribe(EVENTS, { after: lastId?.toString() ?? null, filter }, {
        next: ({ data }) => {
          delay = 500;
          if (!data) return;
          const id = BigInt(data.jobEvents.id);
          if (lastId !== null && id <= lastId) return;
          lastId = id;
          handler.current(data.jobEvents);
        },
        error: (error: unknown) => {
          const codes = error instanceof JobgraphError ? error.codes : [];
          if (codes.some((code) => PERMANENT.has(code))) return;
          if (codes.includes(ErrorCode.EVENTS_PRUNED)) lastId = null;
          again();
        },
        complete: () => again(),
      });
    };
    const again = () => {
      if (stopped) return;
      retry = setTimeout(start, delay);
      delay = Math.min(delay * 2, 10_000);
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [filterKey]);
}

/** Whether the WebSocket is connected now. */
export function useConnected(): boolean {
  const [connected, setConnected] = useState(connection.connected);
  useEffect(() => {
    connection.listeners.add(setConnected);
    return () => void connection.listeners.delete(setConnected);
  }, []);
  return connected;
}

/** The path, updated on navigation (links call navigate()). */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    addEventListener('popstate', update);
    addEventListener('jobgraph:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('jobgraph:navigate', update);
    };
  }, []);
  return path;
}

export function navigate(to: string): void {
  history.pushState(null, '', to);
  dispatchEvent(new Event('jobgraph:navigate'));
  scrollTo(0, 0);
}
