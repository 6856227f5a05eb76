// Job logs: what a handler logs through `ctx.logger` goes to the process log as before
// and is also kept with the job (Job.logs), so whoever looks at a job sees what its
// handler said. Lines are batched into one INSERT per turn of the event loop, bounded
// per job over all its attempts and retries (JOB_LOG_MAX_LINES) and in size, and never
// fail the job: a line that cannot be stored is dropped (and said so in the process
// log, at most once a minute).
import { format } from 'node:util';
import type pg from 'pg';
import { poolOf, type Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { appendLogs, countLogs, type LogLevel, type NewJobLog } from '../store/logs.js';
import { Batcher } from '../jobs/batcher.js';

/** pino's methods, and the level each is kept as. */
const METHODS: Record<string, LogLevel> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };
const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
export const JOB_LOG_LIMITS = { messageChars: 2000, dataBytes: 8192 } as const;
const WARN_EVERY_MS = 60_000;

export interface JobLogOptions {
  /** Lines kept per job, over all its attempts (JOB_LOG_MAX_LINES); 0 keeps none. */
  maxLines: number;
  /** Lines below this level are not kept (JOB_LOG_LEVEL). */
  level: LogLevel;
}

/** A line as pino's methods take it: (message, ...args), (object, message?, ...args) or (error, message?). */
function toLine(args: unknown[]): { message: string; data: unknown } {
  const [first, ...rest] = args;
  if (typeof first !== 'object' || first === null) return { message: format(String(first), ...rest), data: null };
  const data = first instanceof Error ? { error: first.name, message: first.message } : first;
  const given = typeof rest[0] === 'string' ? format(rest[0], ...rest.slice(1)) : undefined;
  const message = given ?? (first instanceof Error ? first.message : typeof (first as { msg?: unknown }).msg === 'string' ? (first as { msg: string }).msg : '');
  return { message, data };
}

/** JSON that fits: anything larger, or not JSON at all, is stored as a note of what it was. */
function storable(data: unknown): unknown {
  if (data === null || data === undefined) return null;
  try {
    const text = JSON.stringify(data);
    if (text === undefined) return null;
    return text.length > JOB_LOG_LIMITS.dataBytes ? { truncated: true, bytes: Buffer.byteLength(text) } : (JSON.parse(text) as unknown);
  } catch {
    return { unserializable: true };
  }
}

/**
 * The logger a handler gets (ctx.logger): pino's, taking also the (message, data) order of
 * @jobgraph/worker's JobLogger, so a handler logs the same lines in the service as in a
 * worker of its own (pino would print the object into the message instead).
 */
export function handlerLogger(logger: Logger): Logger {
  const wrap = (target: Logger): Logger =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'child') return (...args: unknown[]) => wrap(method.apply(object, args) as Logger);
        if (typeof property !== 'string' || !(property in METHODS)) return method.bind(object);
        return (...args: unknown[]) =>
          args.length === 2 && typeof args[0] === 'string' && typeof args[1] === 'object' && args[1] !== null ? method.call(object, args[1], args[0]) : method.apply(object, args);
      },
    });
  return wrap(logger);
}

export class JobLogs {
  private readonly pool: pg.Pool;
  private readonly batcher: Batcher<NewJobLog, void>;
  private warned = 0;

  constructor(
    db: Db,
    private readonly options: JobLogOptions,
    private readonly logger: Logger,
  ) {
    this.pool = poolOf(db);
    this.batcher = new Batcher<NewJobLog, void>(
      async (lines) => {
        await appendLogs(this.pool, lines);
        return lines.map((): void => undefined);
      },
      { maxItems: 1000, maxBytes: 8 * 1024 * 1024, bytes: (line) => 256 + line.message.length + JOB_LOG_LIMITS.dataBytes },
    );
  }

  /**
   * The logger a handler gets for one attempt: `base`, which also keeps each line with
   * the job. `flushed()` resolves once every line kept so far is stored (or dropped).
   */
  attemptLogger(base: Logger, jobId: string, attempt: number): { logger: Logger; flushed: () => Promise<void> } {
    const { maxLines, level } = this.options;
    // Room left for this job: counted once, at the attempt's first line; lines logged
    // before the count is known wait for it, in order.
    let left: number | undefined;
    let counting: Promise<void> | undefined;
    const waiting: NewJobLog[] = [];
    const pending: Promise<void>[] = [];
    const admit = (line: NewJobLog) => {
      const room = left as number;
      if (room < 0) return;
      left = room - 1;
      const kept =
        room > 0
          ? line
          : { ...line, level: 'WARN' as const, message: `further lines of this job are not kept with it (JOB_LOG_MAX_LINES = ${maxLines}); the process log has them, at its own LOG_LEVEL`, data: null };
      pending.push(this.batcher.add(kept).catch((error: unknown) => this.dropped(error)));
    };
    const keep = (lineLevel: LogLevel, args: unknown[]) => {
      if (maxLines === 0 || RANK[lineLevel] < RANK[level] || (left !== undefined && left < 0)) return;
      const { message, data } = toLine(args);
      const line = { jobId, attempt, level: lineLevel, message: message.slice(0, JOB_LOG_LIMITS.messageChars), data: storable(data), at: new Date() };
      if (left !== undefined) return admit(line);
      // Bounded while the count is out: more than could be kept is never held.
      if (waiting.length > maxLines) return;
      waiting.push(line);
      counting ??= countLogs(this.pool, jobId).then(
        (count) => {
          left = maxLines - count;
          for (const queued of waiting.splice(0)) admit(queued);
        },
        (error: unknown) => {
          left = -1; // PostgreSQL away: the process log has them.
          waiting.length = 0;
          this.dropped(error);
        },
      );
    };
    // A child the handler makes (ctx.logger.child({...})) keeps its lines too.
    const wrap = (target: Logger): Logger =>
      new Proxy(target, {
        get(object, property) {
          const value: unknown = Reflect.get(object, property, object);
          if (typeof value !== 'function') return value;
          const method = value as (...args: unknown[]) => unknown;
          if (property === 'child') return (...args: unknown[]) => wrap(method.apply(object, args) as Logger);
          const lineLevel = typeof property === 'string' ? METHODS[property] : undefined;
          if (!lineLevel) return method.bind(object);
          return (...args: unknown[]) => {
            keep(lineLevel, args);
            return method.apply(object, args);
          };
        },
      });
    return { logger: wrap(base), flushed: async () => {
      await counting;
      await Promise.all(pending);
    } };
  }

  private dropped(error: unknown): void {
    if (Date.now() - this.warned < WARN_EVERY_MS) return;
    this.warned = Date.now();
    this.logger.warn({ err: error }, 'job log lines not stored (PostgreSQL unreachable?); they are in the process log (said at most once a minute)');
  }
}
