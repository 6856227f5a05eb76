// Small hooks the pages share: a query that reloads on demand (and on live events), a
// live event feed resumed from the last id after any break, and the current path.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { client, describe, gql } from './api.js';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** Runs `query` now, whenever `key` changes, and on reload(); at most one reload in flight, the last asked for wins. */
export function useQuery<T>(query: string, variables: Record<string, unknown>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [tick, setTick] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;
  useEffect(() => {
    let current = true;
    gql<T>(query, vars.current).then(
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

export interface LiveEvent {
  id: string;
  jobId: string;
  type: string;
  status: string;
  progress: number | null;
  createdAt: string;
  job: { queue: string; type: string };
}

const EVENTS = 'subscription ($after: ID, $filter: JobEventFilter) { jobEvents(after: $after, filter: $filter) { id jobId type status progress createdAt job { queue type } } }';

/**
 * Live job events (matching `filter`) to `onEvent`. After a break (the connection drops,
 * the subscription ends), it subscribes again after the last id it saw: nothing is
 * missed and nothing comes twice. `live` says whether it is connected.
 */
export function useEvents(onEvent: (event: LiveEvent) => void, filter: Record<string, unknown> | null = null): boolean {
  const [live, setLive] = useState(false);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    let lastId: string | null = null;
    let stopped = false;
    let unsubscribe = () => undefined as void;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const start = (delay: number) => {
      unsubscribe = client.subscribe<{ jobEvents: LiveEvent }>(EVENTS, { after: lastId, filter }, {
        next: ({ data }) => {
          setLive(true);
          if (!data) return;
          lastId = data.jobEvents.id;
          handler.current(data.jobEvents);
        },
        error: () => again(delay),
        complete: () => again(delay),
      });
      // Subscribing succeeded once the socket is open: graphql-ws sends nothing before the first event.
      setLive(true);
    };
    const again = (delay: number) => {
      setLive(false);
      if (stopped) return;
      retry = setTimeout(() => start(Math.min(delay * 2, 10_000)), delay);
    };
    start(500);
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [filterKey]);
  return live;
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
