// The one shape of every periodic service (retention, reconciliation, the flow sweep,
// heartbeats, lease renewals, the output directory's sweep): a task with a name, an
// interval and a pass. The runner runs a pass at start and then every interval, never
// two at once (a run asked for while one is under way joins it), logs a pass that fails
// and tries again at the next interval, and on stop waits for the pass under way before
// the task's own goodbye. The composition root starts a list of them and stops it in
// reverse order.
import type { Logger } from '../logger.js';

export interface PeriodicTask {
  /** Names the task in the log. */
  readonly name: string;
  readonly intervalMs: number;
  /** One pass. A failure is logged, and the next interval tries again. */
  pass(): Promise<void>;
  /** After the last pass, at stop: releases what the task holds (a lock, a heartbeat entry). */
  stopped?(): Promise<void>;
}

export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    readonly task: PeriodicTask,
    private readonly logger: Logger,
  ) {}

  /** Runs a first pass now (resolved when it is done) and then one every interval. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.run(), this.task.intervalMs);
    // A timer must not keep a stopping process alive.
    this.timer.unref();
    return this.run();
  }

  /** A pass now, or the one under way. */
  run(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.running ??= this.task
      .pass()
      .catch((error: unknown) => this.logger.warn({ err: error, task: this.task.name }, `${this.task.name}: pass failed; the next one tries again`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer, waits for the pass under way, then lets the task say goodbye. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    await this.task.stopped?.();
  }
}
