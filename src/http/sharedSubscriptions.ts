// Identical live subscriptions over WebSocket share one execution: the same document,
// variables and reach (what the caller may see) give the same answers, so the first
// subscriber's runs once and every later one joins it. Each state (or event) is turned
// into JSON once and the same bytes are written to every member's socket, behind the
// member's own `{"id":...,"payload":` and before `}` (see Member.write), each member
// at its own pace: a latest-state field (jobUpdated, flowUpdated) keeps only the newest
// state for a member still sending the last one; an event field (jobEvents, without
// `after`) queues up to SUBSCRIPTION_BUFFER_SIZE events per member and ends a member that
// falls further behind with SUBSCRIBER_TOO_SLOW, saying where to resume. Each member's
// credential expires on its own (UNAUTHENTICATED, with where to resume).
//
// Without this, 400 subscribers of one 1,000-job flow ran 400 executions per state and
// held 400 results at once (measured: 200 MB live, 1 GB of RSS).
import { Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { WebSocket } from 'ws';
import { expiredError, tooSlow } from '../events/streams.js';

/** Root fields whose subscriptions may be shared, and how a member that lags is served. */
const SHAREABLE: Record<string, 'latest' | 'queue'> = { jobUpdated: 'latest', flowUpdated: 'latest', jobEvents: 'queue' };

/** Where a shared source says each of its results stands: the event id of a jobEvents result. */
export interface SourceCursor {
  cursor?: bigint;
}

/** How a subscription may be shared: one root field of SHAREABLE, and no `after` (a replay is the subscriber's own). */
export function shareable(document: DocumentNode, operationName: string | null | undefined): 'latest' | 'queue' | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return null;
  const [field] = operation.selectionSet.selections;
  if (field?.kind !== Kind.FIELD) return null;
  const mode = SHAREABLE[field.name.value];
  if (!mode || field.arguments?.some((argument) => argument.name.value === 'after')) return null;
  return mode;
}

type Source = AsyncIterator<ExecutionResult> & AsyncIterable<ExecutionResult>;

/** The end of every `next` message. */
const SUFFIX = Buffer.from('}');
/** States up to this size are copied into one frame per member (see Member.write). */
const COPY_AT_MOST = 16 * 1024;

/**
 * Bytes of their own, for what lives as long as a subscriber: a small Buffer.from()
 * is a slice of a shared 8 KB pool and keeps all of it alive (measured: 4.6 KB of
 * pools held per own-job subscriber by its prefix and its latest state).
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** One subscriber of a group: its socket, its operation id, its own pace and expiry. */
class Member {
  private queue: Buffer[] = [];
  /** This member's start of every `next` message. */
  private readonly prefix: Buffer;
  private writing = false;
  private ending: { error?: Error } | null = null;
  private finished!: () => void;
  private readonly over = new Promise<void>((resolve) => (this.finished = resolve));
  private error: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The cursor of the last event queued for this member: where it resumes. */
  private lastCursor: bigint | undefined;
  private left = false;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    private readonly mode: 'latest' | 'queue',
    private readonly bufferSize: number,
    expiresAt: number | null,
    private readonly onLeave: (member: Member) => void,
  ) {
    this.prefix = ownBytes(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
    if (expiresAt !== null) this.armExpiry(expiresAt);
  }

  /**
   * What graphql-ws iterates: nothing comes through it (the member writes its own
   * frames); it ends when the member does, with the member's error if it has one.
   */
  iterator(): AsyncGenerator<ExecutionResult> {
    const done = { done: true, value: undefined } as const;
    return {
      // A plain promise, not an async function: one suspended frame fewer per subscriber.
      next: () =>
        this.over.then(() => {
          if (this.error) throw this.error;
          return done;
        }),
      return: async () => {
        this.leave();
        return done;
      },
      throw: async (error: unknown) => {
        this.leave();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    } as AsyncGenerator<ExecutionResult>;
  }

  offer(json: Buffer, cursor: bigint | undefined): void {
    if (this.ending || this.left) return;
    if (this.mode === 'latest') this.queue = [json];
    else if (this.queue.length >= this.bufferSize) {
      // What is queued is still written, then the error names the last of it.
      this.end(tooSlow(this.bufferSize, this.lastCursor ?? null));
      return;
    } else this.queue.push(json);
    if (cursor !== undefined) this.lastCursor = cursor;
    void this.flush();
  }

  /** Ends this member once what is queued has been written: it completes, or fails with `error`. */
  end(error?: Error): void {
    if (this.ending || this.left) return;
    this.ending = { error };
    clearTimeout(this.timer);
    void this.flush();
  }

  private leave(error?: Error): void {
    if (this.left) return;
    this.left = true;
    this.error = error;
    clearTimeout(this.timer);
    this.queue = [];
    this.onLeave(this);
    this.finished();
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (let json = this.queue.shift(); json !== undefined && !this.left; json = this.queue.shift()) await this.write(json);
    } finally {
      this.writing = false;
    }
    if (this.ending && this.queue.length === 0) this.leave(this.ending.error);
  }

  /**
   * One text message. A small state is copied behind this member's prefix and sent as
   * one frame: one system call per member (three fragments cost two, one for the first
   * and one when the corked rest is flushed, and the system calls were the largest cost
   * of a broadcast to 10,000). A large one (a big flow's state) is sent as three
   * fragments, sent together (nothing else can come between them), so no member's copy
   * of it is ever made.
   */
  private write(payload: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState !== this.socket.OPEN) return resolve();
      if (payload.length <= COPY_AT_MOST) {
        this.socket.send(Buffer.concat([this.prefix, payload, SUFFIX]), { binary: false }, () => resolve());
        return;
      }
      this.socket.send(this.prefix, { binary: false, fin: false });
      this.socket.send(payload, { binary: false, fin: false });
      this.socket.send(SUFFIX, { binary: false, fin: true }, () => resolve());
    });
  }

  private armExpiry(expiresAt: number): void {
    const left = expiresAt - Date.now();
    // setTimeout's longest delay; a later expiry re-arms.
    if (left > 0) this.timer = setTimeout(() => this.armExpiry(expiresAt), Math.min(left, 2 ** 31 - 1));
    else this.end(expiredError(this.lastCursor === undefined ? null : this.lastCursor.toString()));
  }
}

/** Subscribers of one document, variables and reach, fed by one source. */
class Group {
  readonly members = new Set<Member>();
  /** The newest state as JSON, for a latest-state member who joins late. */
  private latest: Buffer | null = null;
  /** The source has ended: nobody may join any more. */
  closed = false;
  private pumping = false;

  constructor(
    private readonly source: Source,
    private readonly cursorOf: SourceCursor,
    private readonly mode: 'latest' | 'queue',
    private readonly onClosed: () => void,
  ) {}

  add(member: Member): void {
    this.members.add(member);
    if (this.mode === 'latest' && this.latest !== null) member.offer(this.latest, undefined);
    // Pumped from its first member on, so that member misses no event.
    if (!this.pumping) {
      this.pumping = true;
      void this.pump();
    }
  }

  remove(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0 && !this.closed) {
      this.close();
      void this.source.return?.().catch(() => undefined);
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.source.next();
        if (next.done || this.closed) break;
        // Once for every member: the same bytes go to each socket.
        const json = ownBytes(JSON.stringify(next.value));
        if (this.mode === 'latest') this.latest = json;
        for (const member of this.members) member.offer(json, this.cursorOf.cursor);
      }
      for (const member of this.members) member.end();
    } catch (error) {
      for (const member of this.members) member.end(error as Error);
    } finally {
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed();
  }
}

export interface JoinRequest {
  key: string;
  mode: 'latest' | 'queue';
  socket: WebSocket;
  /** The subscriber's operation id on its socket. */
  id: string;
  expiresAt: number | null;
  bufferSize: number;
  /** Starts the source (the first subscriber's execution): an iterator of results, or the result that refused it. */
  start: () => Promise<Source | ExecutionResult>;
  /** The source's context, where each result's cursor is left by the resolver. */
  cursorOf: SourceCursor;
}

export class SharedSubscriptions {
  private readonly groups = new Map<string, Promise<Group | ExecutionResult>>();
  private members = 0;

  /** Subscribers of this process beyond the one source each group runs (for the subscriptions gauge). */
  get joined(): number {
    return this.members - this.groups.size;
  }

  /** Joins the group of `key`, starting it if none runs: what graphql-ws iterates for this subscriber. */
  async join(request: JoinRequest): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    let opening = this.groups.get(request.key);
    if (!opening) {
      const forget = () => {
        if (this.groups.get(request.key) === opening) this.groups.delete(request.key);
      };
      opening = request.start().then(
        (started) => {
          // Refused (no such job, a bad id): each subscriber of that key gets the same answer, and nothing is kept.
          if (!(Symbol.asyncIterator in started)) {
            forget();
            return started;
          }
          return new Group(started as Source, request.cursorOf, request.mode, forget);
        },
        (error: unknown) => {
          forget();
          throw error;
        },
      );
      this.groups.set(request.key, opening);
    }
    const group = await opening;
    if (!(group instanceof Group)) return group;
    if (group.closed) return this.join(request);
    this.members++;
    const member = new Member(request.socket, request.id, request.mode, request.bufferSize, request.expiresAt, (gone) => {
      this.members--;
      group.remove(gone);
    });
    group.add(member);
    return member.iterator();
  }
}
