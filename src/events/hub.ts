// One per API process: receives every job event from the bus, puts them in id order
// without gaps, and hands each to the subscriptions of this process that want it.
//
// Event ids are given out in commit order (see store/sql.ts), so when event N
// has arrived, every smaller id that will ever exist is already in PostgreSQL. The hub
// keeps `lastId`, the id up to which it has dispatched everything; a message beyond
// lastId + 1 means some were delayed or lost on the way (another process published
// later, Redis dropped them), and the hub reads the missing ones from PostgreSQL before
// going on. A slow poll covers messages lost while nothing else arrives.
import type { JobQueries } from '../store/queries.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './bus.js';
import { fromMessage, matches, type EventFilter, type EventMessage, type LiveEvent } from './message.js';

/** Events read from PostgreSQL per query when filling a gap or catching up. */
const FILL_PAGE = 1000;

export interface Listener {
  filter: EventFilter;
  /** Called synchronously for each matching event, in id order. */
  push(event: LiveEvent): void;
  /** The hub is closing: end the subscription. */
  close(): void;
}

export interface EventHubOptions {
  /** How often to look in PostgreSQL for events that never arrived over Redis. */
  pollMs: number;
}

export class EventHub {
  private last = 0n;
  private inbox: LiveEvent[] = [];
  private pollRequested = false;
  private pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Listeners for one job, and listeners for any job. */
  private readonly byJob = new Map<string, Set<Listener>>();
  private readonly anyJob = new Set<Listener>();

  constructor(
    private readonly bus: EventBus,
    private readonly queries: JobQueries,
    private readonly logger: Logger,
    private readonly options: EventHubOptions,
  ) {}

  /** Every event with an id up to this one has been dispatched. */
  get lastId(): bigint {
    return this.last;
  }

  get listenerCount(): number {
    let count = this.anyJob.size;
    for (const set of this.byJob.values()) count += set.size;
    return count;
  }

  async start(): Promise<void> {
    this.bus.listen((messages) => this.receive(messages));
    this.bus.onReconnect(() => this.requestPoll());
    this.last = await this.queries.lastEventId();
    this.timer = setInterval(() => this.requestPoll(), this.options.pollMs);
    this.timer.unref();
  }

  /** Registers a listener; it receives events dispatched after this call. Returns its removal. */
  add(listener: Listener): () => void {
    const jobId = listener.filter.jobId;
    if (jobId == null) this.anyJob.add(listener);
    else {
      let set = this.byJob.get(jobId);
      if (!set) this.byJob.set(jobId, (set = new Set()));
      set.add(listener);
    }
    return () => {
      if (jobId == null) this.anyJob.delete(listener);
      else {
        const set = this.byJob.get(jobId);
        set?.delete(listener);
        if (set?.size === 0) this.byJob.delete(jobId);
      }
    };
  }

  /** Ends every subscription and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const listeners = [...this.anyJob, ...[...this.byJob.values()].flatMap((set) => [...set])];
    this.anyJob.clear();
    this.byJob.clear();
    for (const listener of listeners) listener.close();
    await this.pumping;
  }

  private receive(messages: EventMessage[]): void {
    for (const message of messages) this.inbox.push(fromMessage(message));
    this.kick();
  }

  private requestPoll(): void {
    this.pollRequested = true;
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = this.pump()
      .catch((error: unknown) => {
        // PostgreSQL unreachable: keep what arrived, and try again at the next poll.
        this.logger.warn({ err: error }, 'job events not dispatched yet');
      })
      .finally(() => {
        this.pumping = undefined;
      });
  }

  /** The one loop that dispatches: never two at once, so listeners see ids in order. */
  private async pump(): Promise<void> {
    while (!this.closed && (this.inbox.length > 0 || this.pollRequested)) {
      if (this.pollRequested) {
        this.pollRequested = false;
        if (this.listenerCount > 0) await this.fill();
        continue;
      }
      const batch = this.inbox.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.inbox = [];
      for (let index = 0; index < batch.length; index++) {
        const event = batch[index] as LiveEvent;
        if (event.id <= this.last) continue;
        if (event.id > this.last + 1n) {
          if (this.listenerCount === 0) {
            // Nobody is listening: nothing to fill, just move on.
            this.last = event.id - 1n;
          } else {
            try {
              await this.fill(event.id - 1n);
            } catch (error) {
              this.inbox.push(...batch.slice(index));
              throw error;
            }
          }
        }
        this.dispatch(event);
      }
    }
  }

  /** Reads and dispatches, in order, the events after lastId (up to `upTo`) from PostgreSQL. */
  private async fill(upTo?: bigint): Promise<void> {
    for (;;) {
      const events = await this.queries.eventsAfter(this.last, { upTo, limit: FILL_PAGE });
      for (const event of events) this.dispatch(event);
      if (events.length < FILL_PAGE) break;
    }
    if (upTo !== undefined && this.last < upTo) this.last = upTo; // ids lost to rolled-back statements
  }

  private dispatch(event: LiveEvent): void {
    this.last = event.id;
    const forJob = this.byJob.get(event.jobId);
    if (forJob) for (const listener of forJob) if (matches(listener.filter, event)) listener.push(event);
    for (const listener of this.anyJob) if (matches(listener.filter, event)) listener.push(event);
  }
}
