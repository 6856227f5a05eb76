// The live streams clients subscribe to: events (a Repeater, as Yoga's own pub/sub uses)
// and states (pulled, see liveSnapshots). A client that goes away ends either at once,
// even while it waits.
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { JobQueries } from '../store/queries.js';
import type { JobSummary } from '../domain/model.js';
import type { JobSnapshots } from './snapshots.js';
import type { FlowSnapshots } from './flowSnapshots.js';
import type { EventHub } from './hub.js';
import type { EventFilter, LiveEvent } from './message.js';
import { type ErrorCode } from '../domain/errors.js';

/** Events read from PostgreSQL per query while replaying. */
const REPLAY_PAGE = 500;

export interface StreamDeps {
  hub: EventHub;
  queries: JobQueries;
  snapshots: JobSnapshots;
  flows: FlowSnapshots;
}

/** The subscriber could not keep up: it is told where to resume. */
export function tooSlow(bufferSize: number, resumeAfter: bigint | null): GraphQLError {
  const resume = resumeAfter === null ? 'subscribe again' : `subscribe again with after: "${resumeAfter}"`;
  return new GraphQLError(`Subscriber too slow: more than ${bufferSize} events waited to be sent. Nothing is lost: ${resume}.`, {
    extensions: { code: 'SUBSCRIBER_TOO_SLOW' satisfies ErrorCode, resumeAfter: resumeAfter?.toString() ?? null },
  });
}

/**
 * Events matching `filter`: first, when `after` is given, every recorded one with a
 * larger id, from PostgreSQL; then live ones from the hub. The switch is exact: the
 * replay runs up to the hub's lastId, and the stream joins the hub in the same tick
 * in which it sees that it has caught up, so the hub's next event is the next one due.
 * At most `bufferSize` live events wait for a slow client; one more ends the stream
 * with SUBSCRIBER_TOO_SLOW naming the last id sent.
 */
export function jobEventStream(deps: StreamDeps, filter: EventFilter, after: bigint | null, bufferSize: number): AsyncIterableIterator<LiveEvent> {
  let failure: GraphQLError | undefined;
  const events = new Repeater<LiveEvent>(async (push, stop) => {
    let stopped = false;
    void stop.then(() => (stopped = true));
    let lastQueued = after;
    if (after !== null) {
      let cursor = after;
      for (;;) {
        const upTo = deps.hub.lastId;
        while (cursor < upTo && !stopped) {
          const page = await deps.queries.eventsAfter(cursor, { upTo, filter, limit: REPLAY_PAGE });
          for (const event of page) {
            if (stopped) return;
            // Waits until the client has taken it: the replay goes at the client's pace.
            await push(event);
          }
          cursor = page.length === REPLAY_PAGE ? (page.at(-1) as LiveEvent).id : upTo;
        }
        if (stopped) return;
        if (deps.hub.lastId === upTo) break;
      }
      lastQueued = cursor;
    }
    let waiting = 0;
    const remove = deps.hub.add({
      filter,
      push(event) {
        // A cursor beyond what this process has dispatched yet: those were seen already.
        if (after !== null && event.id <= after) return;
        if (waiting >= bufferSize) {
          remove();
          // Everything queued before the stop is still delivered, then the error.
          failure = tooSlow(bufferSize, lastQueued);
          void stop();
          return;
        }
        waiting++;
        lastQueued = event.id;
        // Rejects once the stream has ended; nothing is waiting for it then.
        push(event).then(() => waiting--, () => undefined);
      },
      close: () => void stop(),
    });
    await stop;
    remove();
  });
  return endingWith(events, () => failure);
}

/**
 * Ends an iteration with an error once its values are all delivered. Not the
 * Repeater's own stop(error): its return() rejects with that error, and a client that
 * disconnects before reading it would leave a rejection nobody handles.
 */
function endingWith<T>(source: Repeater<T>, failure: () => Error | undefined): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    async next() {
      const result = await iterator.next();
      const error = result.done ? failure() : undefined;
      if (error) throw error;
      return result;
    },
    return: (value?: unknown) => iterator.return(value),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** What a jobUpdated subscriber would see change; an identical reload is not sent again. */
function version(job: JobSummary): string {
  return `${job.updatedAt.getTime()}|${job.status}|${job.attempts}|${job.progress}`;
}

/**
 * The job as it is now, then again after each of its events (liveSnapshots). A reload
 * after an event is shared with every subscriber of this process (JobSnapshots).
 */
export function jobUpdates(deps: StreamDeps, first: JobSummary): AsyncIterableIterator<JobSummary> {
  const id = first.id;
  // Held only until the first read: 10,000 watchers would otherwise each keep a row for nothing.
  let initial: JobSummary | null = first;
  return liveSnapshots(
    deps.hub,
    { jobId: id },
    // The subscriber was found to reach it: the reloads need no reach.
    async (event) => {
      if (event) return deps.snapshots.at(event);
      const fallback = initial;
      initial = null;
      return (await deps.queries.byId(id, {})) ?? fallback;
    },
    version,
  );
}

/** The credential a stream was opened with has expired: sign in again, and resume after `resume`. */
export function expiredError(resume: string | null): GraphQLError {
  return new GraphQLError(`Unauthenticated: token expired; sign in again and ${resume === null ? 'subscribe again' : `subscribe again with after: "${resume}"`}.`, {
    extensions: { code: 'UNAUTHENTICATED' satisfies ErrorCode, resumeAfter: resume },
  });
}

/** setTimeout's longest delay; a later expiry re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends a stream with UNAUTHENTICATED when the credential it was opened with expires
 * (a WebSocket outlives its token), saying where to resume once signed in again.
 */
export function expiring<T>(source: AsyncIterableIterator<T>, expiresAt: number | null, resumeAfter: (last: T | undefined) => string | null): AsyncIterableIterator<T> {
  // Nothing to end: the stream itself, without a layer (one per subscriber, 10,000 of them).
  if (expiresAt === null) return source;
  let last: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    const arm = () => {
      const left = expiresAt - Date.now();
      if (left > 0) timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      else reject(expiredError(resumeAfter(last)));
    };
    arm();
  });
  // Nobody may be waiting when it fires; the next call to next() sees it.
  expiry.catch(() => undefined);
  const end = (value?: unknown) => {
    clearTimeout(timer);
    return source.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined as T });
  };
  return {
    async next() {
      try {
        const result = await Promise.race([source.next(), expiry]);
        if (!result.done) last = result.value;
        return result;
      } catch (error) {
        void end().catch(() => undefined);
        throw error;
      }
    },
    return: (value?: unknown) => end(value) as Promise<IteratorResult<T>>,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** What an ended stream answers. */
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A value read again after each event matching `filter` (a job, or a flow after any
 * change of one of its jobs): at once, then after changes, never twice the same
 * (`version`). Reloads run one at a time and the events of one reload cause one more
 * (`load` gets the latest of them; none for the first read), so a subscriber gets the
 * latest state without ever seeing it go back, however fast it changes.
 *
 * Pulled, not a Repeater: the next state is read when the subscriber asks for it (as a
 * Repeater's push waited for it to be taken), and between changes the stream is one
 * object and its closures, holding neither the value nor a suspended function (what one
 * watcher costs, times 10,000; measured: 2.7 KB less than the Repeater). A subscriber
 * that goes away ends it at once, even while it waits for a change.
 */
export function liveSnapshots<T>(hub: EventHub, filter: EventFilter, load: (event?: LiveEvent) => Promise<T | null>, version: (value: T) => string): AsyncIterableIterator<T> {
  let changed: LiveEvent | undefined;
  let wake: (() => void) | undefined;
  let remove: (() => void) | undefined;
  /** The version last sent; undefined before the first read. */
  let sent: string | undefined;
  let ended = false;
  const end = () => {
    ended = true;
    remove?.();
    remove = undefined;
    wake?.();
  };
  const read = async (): Promise<IteratorResult<T>> => {
    if (ended) return DONE;
    if (sent === undefined) {
      // Registered before this read: a change after it cannot be missed.
      remove = hub.add({
        filter,
        push(event) {
          changed = event;
          wake?.();
        },
        close: end,
      });
      const value = await load();
      if (ended) return DONE;
      if (value === null) {
        end();
        return DONE;
      }
      sent = version(value);
      return { done: false, value };
    }
    for (;;) {
      if (!changed) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (ended) return DONE;
        continue;
      }
      const event = changed;
      changed = undefined;
      const next = await load(event);
      if (ended) return DONE;
      if (next !== null && version(next) !== sent) {
        sent = version(next);
        return { done: false, value: next };
      }
    }
  };
  // Calls are served one after another, should a consumer not wait for the last.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    next() {
      const result = tail.then(read).catch((error: unknown) => {
        end();
        throw error;
      });
      tail = result.catch(() => undefined);
      return result;
    },
    return: async () => {
      end();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
