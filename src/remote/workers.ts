// Remote workers: the team's own code, in its own process, connected to an API process
// over the GraphQL API (the `work` subscription and the worker mutations; protocol in
// docs/workers.md). This process takes their jobs from BullMQ on their behalf, one
// BullMQ queue per (queue, scope, type) they registered, as many at once as they have
// room for, hands each to a worker with room under a lease, and records the outcome the
// worker sends through the lifecycle, as for any attempt (worker/worker.ts runs the
// attempt's frame: tenant slots, timeout, recording, settling the BullMQ job).
//
// At least once: a worker that disconnects, or is silent for three heartbeats, loses
// its leases; their jobs go back to BullMQ and run again, the lost attempt counted as
// after a crash. A lease is fenced: an outcome for a lease that was lost is refused,
// and even one that slipped through is refused by the lifecycle (the attempt moved on).
// A cancel reaches the worker at once (CANCEL), as does a timeout.
import { randomUUID } from 'node:crypto';
import { Repeater } from 'graphql-yoga';
import type { RedisClient } from '../redis/connection.js';
import { graphqlError, serializeError, type AttemptError } from '../domain/errors.js';
import type { Job } from '../domain/model.js';
import type { Change } from '../domain/transitions.js';
import type { JobLifecycle } from '../jobs/lifecycle.js';
import type { Logger } from '../logger.js';
import { bullQueueOf, remoteQueueName } from '../redis/queues.js';
import { removeWorker, writeWorker, type WorkerInfo } from '../redis/workers.js';
import type { LogLevel } from '../store/logs.js';
import { AttemptAborted, type Outcome } from '../worker/attempt.js';
import type { JobLogs } from '../worker/logs.js';
import type { AttemptRunner, JobWorkers, RunnerOutcome } from '../worker/worker.js';
import { currentTraceParent } from '../tracing/tracing.js';
import type { WorkItem } from '@jobgraph/worker';

/** What the service sends a worker (subscription `work`); the job is the SDK's own WorkItem, so the two cannot drift apart. */
export interface WorkMessage {
  kind: 'REGISTERED' | 'JOB' | 'CANCEL';
  workerId?: string;
  heartbeatMs?: number;
  lease?: string;
  reason?: string;
  job?: WorkItem;
}

export interface Registration {
  name: string;
  scope: string;
  types: string[];
  queues: string[];
  concurrency: number;
  /** Who connected (the credential's name), for the log. */
  by: string | null;
}

interface Lease {
  id: string;
  job: Job;
  worker: Connected;
  settle(outcome: Outcome): void;
  /** Resolved once the outcome is recorded: what the worker's outcome mutation answers. */
  recorded: Promise<Change | null>;
  keepLogs?: { logger: Logger; flushed: () => Promise<void> };
}

interface Connected {
  id: string;
  registration: Registration;
  leases: Map<string, Lease>;
  lastSeen: number;
  /** Its process's resident memory as it last said (workerHeartbeat), in bytes. */
  rssBytes?: number;
  draining: boolean;
  startedAt: string;
  push(message: WorkMessage): void;
  end(error?: Error): void;
}

export interface RemoteWorkerSettings {
  prefix: string;
  /** How often a worker must beat (it is told); three missed and it is gone. */
  heartbeatMs: number;
  /** MAX_REMOTE_QUEUES: most remote BullMQ queues this process takes from. */
  maxQueues: number;
}

/** A worker's own outcome, as its mutation gives it. */
export type RemoteOutcome = { kind: 'completed'; result: unknown } | { kind: 'failed'; error: AttemptError; permanent: boolean } | { kind: 'handedBack'; reason: string };

/** How a worker's stream ends when the service drops it: a GraphQL error the worker can act on (connect again). */
function lost(why: string): Error {
  return graphqlError('WORKER_LOST', `Worker lost: ${why}; its jobs run again. Connect again.`);
}

export class RemoteWorkers {
  private readonly workers = new Map<string, Connected>();
  private readonly leases = new Map<string, Lease>();
  /** Workers that serve each remote BullMQ queue. */
  private readonly serving = new Map<string, Set<Connected>>();
  /** Attempts waiting for a worker of their queue to have room, in order. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      lifecycle: JobLifecycle;
      consumer: () => JobWorkers;
      redis: RedisClient;
      logs: JobLogs;
      logger: Logger;
      /** Gives a remote type's BullMQ queue its queue's pause and limits before it is taken from. */
      applySettings: (queue: string, bull: string) => Promise<void>;
    },
    private readonly settings: RemoteWorkerSettings,
  ) {}

  /** The runner of the remote BullMQ queues: hands the attempt to a connected worker and waits for its outcome. */
  readonly runner: AttemptRunner = (job, controller, dependencies) => this.dispatch(job, controller, dependencies ?? {});

  /** Starts noticing silent workers, and keeping the registry (Query.workers) of those connected here. */
  start(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.settings.heartbeatMs);
    this.sweeper.unref();
  }

  /** Closes every worker's stream (their leases go back to BullMQ) and stops. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    for (const worker of [...this.workers.values()]) this.disconnect(worker, lost('the service is shutting down'));
  }

  /** A worker connects: its stream of messages, starting with REGISTERED. Ends (and loses its leases) when the client goes away. */
  connect(registration: Registration, address: string | null): AsyncIterableIterator<WorkMessage> {
    return new Repeater<WorkMessage>(async (push, stop) => {
      const worker: Connected = {
        id: `remote:${randomUUID()}`,
        registration,
        leases: new Map(),
        lastSeen: Date.now(),
        draining: false,
        startedAt: new Date().toISOString(),
        push: (message) => void push(message).catch(() => undefined),
        end: (error) => stop(error),
      };
      this.workers.set(worker.id, worker);
      await push({ kind: 'REGISTERED', workerId: worker.id, heartbeatMs: this.settings.heartbeatMs });
      await this.serve(worker);
      this.deps.logger.info({ workerId: worker.id, name: registration.name, scope: registration.scope, types: registration.types, address }, 'remote worker connected');
      await this.publish(worker);
      await stop;
      this.disconnect(worker);
    });
  }

  /** Why a worker with these types and queues cannot be served here (MAX_REMOTE_QUEUES), if it cannot. */
  refusal(scope: string, types: string[], queues: string[]): string | null {
    let added = 0;
    for (const queue of new Set(queues)) for (const type of new Set(types)) if (!this.serving.has(remoteQueueName(queue, scope, type))) added += 1;
    if (this.serving.size + added <= this.settings.maxQueues) return null;
    return `Limit exceeded: this worker needs ${added} more queues (one per queue and type) and this process takes from ${this.serving.size} of MAX_REMOTE_QUEUES (${this.settings.maxQueues}); register fewer types or queues, or connect to another instance`;
  }

  /** A worker is alive (workerHeartbeat). */
  heartbeat(workerId: string, scope: string, rssBytes?: number): boolean {
    const worker = this.own(workerId, scope);
    if (!worker) return false;
    worker.lastSeen = Date.now();
    if (rssBytes !== undefined) worker.rssBytes = rssBytes;
    return true;
  }

  /** A worker takes no more jobs (it is stopping). */
  drain(workerId: string, scope: string): boolean {
    const worker = this.own(workerId, scope);
    if (!worker) return false;
    worker.draining = true;
    this.resize(worker);
    return true;
  }

  /** Progress of a leased job (fenced by its attempt, as any progress). */
  async progress(leaseId: string, scope: string, percent: number): Promise<boolean> {
    const lease = this.lease(leaseId, scope);
    if (!lease) return false;
    lease.worker.lastSeen = Date.now();
    await this.deps.lifecycle.progress(lease.job.id, lease.job.attempts, Math.min(Math.max(percent, 0), 100));
    return true;
  }

  /** Log lines of a leased job, kept with it as a handler's in-process lines are (JOB_LOG_MAX_LINES, sizes). */
  log(leaseId: string, scope: string, lines: { level: LogLevel; message: string; data: unknown }[]): boolean {
    const lease = this.lease(leaseId, scope);
    if (!lease) return false;
    lease.worker.lastSeen = Date.now();
    lease.keepLogs ??= this.deps.logs.attemptLogger(this.deps.logger.child({ jobId: lease.job.id, remote: lease.worker.id }, { level: 'silent' }), lease.job.id, lease.job.attempts);
    const logger = lease.keepLogs.logger as unknown as Record<string, (data: unknown, message: string) => void>;
    for (const line of lines) logger[line.level.toLowerCase()]?.(line.data ?? {}, line.message);
    return true;
  }

  /** A worker's outcome for a lease: recorded as any attempt's; null when the lease is not held (lost, or never given). */
  async outcome(leaseId: string, scope: string, outcome: RemoteOutcome): Promise<Change | null | 'unknown'> {
    const lease = this.lease(leaseId, scope);
    if (!lease) return 'unknown';
    lease.settle(outcome.kind === 'handedBack' ? { kind: 'interrupted', reason: outcome.reason } : outcome);
    return lease.recorded;
  }

  /** The remote types served here now, with how many workers serve each (for `available`). */
  get connected(): number {
    return this.workers.size;
  }

  private own(workerId: string, scope: string): Connected | undefined {
    const worker = this.workers.get(workerId);
    return worker && worker.registration.scope === scope ? worker : undefined;
  }

  private lease(leaseId: string, scope: string): Lease | undefined {
    const lease = this.leases.get(leaseId);
    return lease && lease.worker.registration.scope === scope ? lease : undefined;
  }

  /** Starts (or grows) the consumers of the worker's queues. */
  private async serve(worker: Connected): Promise<void> {
    const { scope, types, queues } = worker.registration;
    for (const queue of queues) {
      for (const type of types) {
        const bull = remoteQueueName(queue, scope, type);
        let set = this.serving.get(bull);
        if (!set) {
          // Redis away: the reconciler gives it its settings later.
          await this.deps.applySettings(queue, bull).catch((error: unknown) => this.deps.logger.warn({ err: error, queue }, 'queue settings not applied to a remote type\'s queue yet'));
          this.serving.set(bull, (set = new Set()));
        }
        set.add(worker);
        await this.deps.consumer().add(bull, this.capacity(bull));
      }
    }
  }

  /** How many jobs of a remote queue may be taken at once here: the room of the workers that serve it. */
  private capacity(bull: string): number {
    let room = 0;
    for (const worker of this.serving.get(bull) ?? []) if (!worker.draining) room += worker.registration.concurrency;
    return Math.max(room, 1);
  }

  private resize(worker: Connected): void {
    const { scope, types, queues } = worker.registration;
    for (const queue of queues) for (const type of types) this.deps.consumer().setConcurrency(remoteQueueName(queue, scope, type), this.capacity(remoteQueueName(queue, scope, type)));
  }

  private disconnect(worker: Connected, error?: Error): void {
    if (!this.workers.delete(worker.id)) return;
    worker.end(error);
    for (const lease of worker.leases.values()) lease.settle({ kind: 'lost', reason: error?.message ?? 'the worker disconnected' });
    const { scope, types, queues } = worker.registration;
    for (const queue of queues) {
      for (const type of types) {
        const bull = remoteQueueName(queue, scope, type);
        const set = this.serving.get(bull);
        set?.delete(worker);
        if (!set?.size) {
          this.serving.delete(bull);
          void this.deps.consumer().remove(bull);
        } else this.deps.consumer().setConcurrency(bull, this.capacity(bull));
        this.wake(bull);
      }
    }
    this.deps.logger.info({ workerId: worker.id, name: worker.registration.name, leases: worker.leases.size, reason: error?.message }, 'remote worker disconnected');
    void removeWorker(this.deps.redis, this.settings.prefix, worker.id).catch(() => undefined);
  }

  /** A worker of `bull` with room, longest idle first; null when none serves it any more. */
  private async withRoom(bull: string, signal: AbortSignal): Promise<Connected | null> {
    for (;;) {
      const set = this.serving.get(bull);
      if (!set?.size) return null;
      let best: Connected | undefined;
      for (const worker of set) {
        if (worker.draining || worker.leases.size >= worker.registration.concurrency) continue;
        if (!best || worker.leases.size < best.leases.size) best = worker;
      }
      if (best) return best;
      if (signal.aborted) return null;
      // Wait for a lease to end (or a worker to come or go), then look again.
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(bull) ?? [];
        this.waiting.set(bull, queue);
        queue.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  private wake(bull: string): void {
    const queue = this.waiting.get(bull);
    this.waiting.delete(bull);
    for (const resolve of queue ?? []) resolve();
  }

  private async dispatch(job: Job, controller: AbortController, dependencies: Record<string, unknown>): Promise<RunnerOutcome> {
    const bull = bullQueueOf(job);
    const worker = await this.withRoom(bull, controller.signal);
    if (!worker) {
      // Cancelled while waiting, or nobody here runs it any more: back to its queue, the attempt not counted.
      return controller.signal.aborted ? this.aborted(controller.signal.reason) : { kind: 'interrupted', reason: 'no worker connected here runs this type any more' };
    }
    const id = randomUUID();
    let settle!: (outcome: Outcome) => void;
    const settled = new Promise<Outcome>((resolve) => (settle = resolve));
    let recorded!: (change: Change | null) => void;
    const lease: Lease = { id, job, worker, settle, recorded: new Promise((resolve) => (recorded = resolve)) };
    worker.leases.set(id, lease);
    this.leases.set(id, lease);
    this.publish(worker).catch(() => undefined);
    const onAbort = () => {
      const reason = controller.signal.reason as AttemptAborted | undefined;
      worker.push({ kind: 'CANCEL', lease: id, reason: reason?.message ?? 'cancelled' });
      settle(this.aborted(reason));
    };
    controller.signal.addEventListener('abort', onAbort, { once: true });
    worker.push({
      kind: 'JOB',
      lease: id,
      // Dispatched inside the attempt's span (worker/worker.ts): the job carries it to the worker's process.
      job: { id: job.id, type: job.type, queue: job.queue, payload: job.payload, attempt: job.attempts, maxAttempts: job.maxAttempts, timeoutMs: job.timeoutMs, dependencies, traceparent: currentTraceParent() },
    });
    const outcome = await settled;
    controller.signal.removeEventListener('abort', onAbort);
    worker.leases.delete(id);
    this.leases.delete(id);
    this.wake(bull);
    // Its lines before its outcome, as in-process.
    await lease.keepLogs?.flushed();
    return { ...outcome, recorded };
  }

  private aborted(reason: unknown): Outcome {
    if (reason instanceof AttemptAborted && reason.reason === 'cancelled') return { kind: 'cancelled' };
    if (reason instanceof AttemptAborted && reason.reason === 'shutdown') return { kind: 'interrupted', reason: reason.message };
    return { kind: 'failed', error: serializeError(reason), permanent: false };
  }

  /** Drops workers silent for three heartbeats, and renews the registry entries of those alive. */
  private async sweep(): Promise<void> {
    const deadline = Date.now() - 3 * this.settings.heartbeatMs;
    for (const worker of [...this.workers.values()]) {
      if (worker.lastSeen < deadline) this.disconnect(worker, lost(`no heartbeat for ${3 * this.settings.heartbeatMs} ms`));
      else await this.publish(worker).catch(() => undefined);
    }
  }

  /** The worker's entry in the registry Query.workers reads (as the service's own workers' heartbeats write theirs). */
  private async publish(worker: Connected): Promise<void> {
    if (this.deps.redis.status !== 'ready') return;
    const { registration } = worker;
    const entry: WorkerInfo = {
      id: worker.id,
      kind: 'REMOTE',
      hostname: registration.name,
      pid: 0,
      queues: registration.queues,
      concurrency: registration.concurrency,
      types: registration.types,
      scope: registration.scope,
      running: [...worker.leases.values()].map((lease) => lease.job.id),
      startedAt: worker.startedAt,
      lastSeenAt: new Date().toISOString(),
      rssBytes: worker.rssBytes,
    };
    await writeWorker(this.deps.redis, this.settings.prefix, entry, Date.now() + 3 * this.settings.heartbeatMs);
  }
}
