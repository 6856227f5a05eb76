// createWorker: your handlers, in your own process, connected to jobgraph over its API
// (one graphql-ws connection; protocol.ts). The service hands the worker jobs of the
// types it registered while it has room (concurrency), in the order its queues give
// them; the worker reports progress, log lines, and the outcome, which the service
// records. A job whose worker disconnects or falls silent runs again elsewhere.
import { hostname } from 'node:os';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket as NodeWebSocket } from 'ws';
import { isPermanentError, serializeError, type AttemptError } from './errors.js';
import type { Handler, JobLogger } from './handler.js';
import { inJobSpan } from './tracing.js';
import { COMPLETE, DRAIN, FAIL, HAND_BACK, HEARTBEAT, LOGS, PROGRESS, WORK, type WorkItem, type WorkMessage } from './protocol.js';
import { payloadJsonSchema, validatePayload } from './schema.js';

export interface WorkerOptions {
  /** The service's GraphQL endpoint, e.g. http://jobgraph:4000/graphql (ws:// and wss:// work too). */
  url: string;
  /** An API key holding jobs:work (with a tenant: it runs that tenant's jobs only). */
  apiKey?: string;
  /** Or a token (JWT) with jobs:work: a string, or a function called before each (re)connection. */
  token?: string | (() => string | Promise<string>);
  // Handlers with any payload schema and context.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: Handler<any, any>[];
  /** Jobs run at once (default 10). */
  concurrency?: number;
  /** Queues to take jobs from (default: every queue the service has). */
  queues?: string[];
  /** How it shows in the service's `workers` (default: host name and pid). */
  name?: string;
  /** A WebSocket class for runtimes without a global one (default: the global, else the `ws` package). */
  webSocketImpl?: unknown;
  /** Where the worker says what it could not do (default: console.error). Job logs go to ctx.logger. */
  onError?: (message: string, error?: unknown) => void;
}

export interface JobgraphWorker {
  /** Connects, registers the handlers' types, and resolves once the service accepted them (rejects if it refused). */
  start(): Promise<void>;
  /**
   * Takes no more jobs, waits up to `graceMs` (default 30 s) for those running, then
   * hands the rest back (they run elsewhere; their attempt is not counted), and closes.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Jobs running now. */
  readonly running: number;
  /** Its id at the service while connected. */
  readonly id: string | null;
}

/** Why a running job's signal fired. */
class Stop extends Error {
  constructor(
    readonly why: 'cancelled' | 'timeout' | 'shutdown' | 'lost',
    message: string,
  ) {
    super(message);
    this.name = why === 'timeout' ? 'TimeoutError' : 'AbortError';
  }
}

const PROGRESS_INTERVAL_MS = 250;
/** How long a worker the service dropped waits before registering again, doubling up to the most. */
const RESUBSCRIBE_MS = { first: 1000, most: 30_000 } as const;
const LOG_FLUSH_MS = 100;
const LOG_LIMITS = { messageChars: 2000, dataBytes: 8192, batch: 100 } as const;

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
interface Line {
  level: Level;
  message: string;
  data: unknown;
}

function lineOf(level: Level, first: unknown, second: unknown): Line {
  const [message, data] = typeof first === 'string' ? [first, second] : [typeof second === 'string' ? second : '', first];
  let kept: unknown = null;
  if (data !== undefined && data !== null) {
    try {
      const text = JSON.stringify(data instanceof Error ? serializeError(data) : data);
      kept = text === undefined ? null : text.length > LOG_LIMITS.dataBytes ? { truncated: true, bytes: text.length } : JSON.parse(text);
    } catch {
      kept = { unserializable: true };
    }
  }
  return { level, message: String(message).slice(0, LOG_LIMITS.messageChars), data: kept };
}

/** A value as JSON the service can store (undefined is null). */
function asJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
}

export function createWorker(options: WorkerOptions): JobgraphWorker {
  const concurrency = options.concurrency ?? 10;
  const handlers = new Map(options.handlers.map((handler) => [handler.name, handler]));
  const onError = options.onError ?? ((message: string, error?: unknown) => console.error(`jobgraph worker: ${message}`, error ?? ''));
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let workerId: string | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  let stopping = false;
  let unsubscribe: (() => void) | undefined;

  const credential = async (): Promise<string | undefined> => options.apiKey ?? (typeof options.token === 'function' ? await options.token() : options.token);
  const client: Client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket ?? NodeWebSocket,
    connectionParams: async () => {
      const secret = await credential();
      return secret ? { authorization: `Bearer ${secret}` } : {};
    },
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => !stopping,
    on: {
      // The service lost this worker's leases with the connection: those jobs run again elsewhere.
      closed: () => {
        for (const job of running.values()) job.controller.abort(new Stop('lost', 'the connection to the service closed'));
      },
    },
  });

  /** One operation over the connection: its data, or its errors thrown. */
  function request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let data: T | undefined;
      client.subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length) reject(new Error(result.errors.map((error) => error.message).join('; ')));
            else data = result.data as T;
          },
          error: reject,
          complete: () => (data === undefined ? reject(new Error('no answer')) : resolve(data)),
        },
      );
    });
  }

  /** Sends an outcome; a refusal (the lease is gone) is said, not thrown: the job is the service's again. */
  async function report(query: string, variables: Record<string, unknown>): Promise<void> {
    try {
      const data = await request<Record<string, { userErrors: { message: string }[] }>>(query, variables);
      const refused = Object.values(data)[0]?.userErrors ?? [];
      if (refused.length) onError(`the service refused an outcome: ${refused.map((error) => error.message).join('; ')}`);
    } catch (error) {
      onError('an outcome could not be sent (the job runs again elsewhere)', error);
    }
  }

  function logger(lease: string): { logger: JobLogger; flush: () => Promise<void>; close: () => void } {
    let lines: Line[] = [];
    let timer: NodeJS.Timeout | undefined;
    let sending = Promise.resolve();
    const send = () => {
      clearTimeout(timer);
      timer = undefined;
      const batch = lines;
      lines = [];
      if (batch.length === 0) return sending;
      sending = sending.then(() => request(LOGS, { lease, lines: batch }).then(() => undefined, (error: unknown) => onError('job log lines not sent', error)));
      return sending;
    };
    const keep = (level: Level) => (first: unknown, second?: unknown) => {
      lines.push(lineOf(level, first, second));
      if (lines.length >= LOG_LIMITS.batch) void send();
      else timer ??= setTimeout(() => void send(), LOG_FLUSH_MS);
    };
    return {
      logger: { debug: keep('DEBUG'), info: keep('INFO'), warn: keep('WARN'), error: keep('ERROR') } as JobLogger,
      flush: () => send(),
      close: () => clearTimeout(timer),
    };
  }

  function progress(lease: string) {
    let last = 0;
    let pending: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (pending === undefined) return;
      const percent = pending;
      pending = undefined;
      last = Date.now();
      void request(PROGRESS, { lease, percent }).catch(() => undefined);
    };
    return {
      report(percent: number) {
        if (!Number.isFinite(percent)) return;
        pending = Math.min(Math.max(percent, 0), 100);
        if (timer) return;
        const wait = last + PROGRESS_INTERVAL_MS - Date.now();
        if (wait <= 0) flush();
        else timer = setTimeout(flush, wait);
      },
      close: () => clearTimeout(timer),
    };
  }

  async function run(lease: string, job: WorkItem, controller: AbortController): Promise<void> {
    const handler = handlers.get(job.type);
    if (!handler) return report(FAIL, { lease, error: { name: 'UnknownType', message: `this worker has no handler for ${job.type}` }, permanent: true });
    const timer = setTimeout(() => controller.abort(new Stop('timeout', `timed out after ${job.timeoutMs} ms`)), job.timeoutMs);
    const logs = logger(lease);
    const progressOf = progress(lease);
    let outcome: { query: string; variables: Record<string, unknown> } | null;
    try {
      const parsed = await validatePayload(handler.payload, job.payload);
      if (!parsed.ok) {
        const issues = parsed.issues.map((issue) => `${['payload', ...issue.path].join('.')}: ${issue.message}`).join('; ');
        throw Object.assign(new Error(`payload does not match the ${job.type} schema: ${issues}`), { name: 'InvalidPayload', permanent: true });
      }
      const ctx = {
        jobId: job.id,
        attempt: job.attempt,
        signal: controller.signal,
        progress: progressOf.report,
        logger: logs.logger,
        dependencies: job.dependencies ?? {},
        traceparent: job.traceparent ?? null,
      };
      const aborted = new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      // In a span of the job's trace when the service traces and this process has OpenTelemetry.
      const work = inJobSpan(job, () => handler.run(parsed.value, ctx));
      work.catch(() => undefined);
      aborted.catch(() => undefined);
      // A handler that ignores its signal must not hold the job past its timeout.
      const result = await Promise.race([work, aborted]);
      outcome = { query: COMPLETE, variables: { lease, result: asJson(result) } };
    } catch (error) {
      const reason = controller.signal.aborted ? (controller.signal.reason as Stop) : undefined;
      if (reason?.why === 'cancelled' || reason?.why === 'lost') outcome = null;
      else if (reason?.why === 'shutdown') outcome = { query: HAND_BACK, variables: { lease, reason: 'the worker is stopping' } };
      else {
        const failure: AttemptError = serializeError(reason ?? error);
        const permanent = reason ? false : isPermanentError(error) || (error as { permanent?: unknown }).permanent === true;
        outcome = { query: FAIL, variables: { lease, error: failure, permanent } };
      }
    } finally {
      clearTimeout(timer);
      progressOf.close();
      logs.close();
    }
    // Its lines before its outcome: whoever sees the job finish sees its logs.
    await logs.flush();
    if (outcome) await report(outcome.query, outcome.variables);
  }

  function receive(message: WorkMessage): void {
    if (message.kind === 'REGISTERED') {
      workerId = message.workerId;
      clearInterval(heartbeat);
      const every = message.heartbeatMs ?? 5000;
      // With its process's memory, for the service's workers page.
      heartbeat = setInterval(() => void (workerId && request(HEARTBEAT, { workerId, memoryBytes: process.memoryUsage.rss() }).catch(() => undefined)), every);
      heartbeat.unref();
      return;
    }
    const lease = message.lease as string;
    if (message.kind === 'CANCEL') {
      running.get(lease)?.controller.abort(new Stop('cancelled', message.reason ?? 'cancelled'));
      return;
    }
    if (!message.job) return;
    // A job that arrives while stopping, or while a cancelled one is still winding down, goes back.
    if (stopping || running.size >= concurrency) {
      void report(HAND_BACK, { lease, reason: stopping ? 'the worker is stopping' : 'the worker is full' });
      return;
    }
    const controller = new AbortController();
    const entry = { controller, done: Promise.resolve() };
    running.set(lease, entry);
    entry.done = run(lease, message.job, controller).finally(() => running.delete(lease));
  }

  return {
    get running() {
      return running.size;
    },
    get id() {
      return workerId;
    },
    start() {
      const types = [...handlers.values()].map((handler) => {
        const payloadSchema = payloadJsonSchema(handler.payload, handler.jsonSchema);
        if (!payloadSchema) throw new Error(`handler ${handler.name}: its payload schema gives no JSON Schema (Standard JSON Schema); pass one as jsonSchema`);
        return { name: handler.name, description: handler.description ?? null, payloadSchema };
      });
      const worker = { name: options.name ?? `${hostname()}:${process.pid}`, types, concurrency, queues: options.queues ?? null };
      return new Promise<void>((resolve, reject) => {
        let registered = false;
        let retryMs: number = RESUBSCRIBE_MS.first;
        // The service ended the stream (it lost this worker: silent too long, or it is
        // stopping): the leases are gone, so are the jobs; register again, backing off.
        const ended = (why: string, error?: unknown) => {
          workerId = null;
          clearInterval(heartbeat);
          for (const job of running.values()) job.controller.abort(new Stop('lost', `the service ended the work stream: ${why}`));
          if (stopping) return;
          onError(`the service ended the work stream (${why}); registering again in ${retryMs} ms`, error);
          setTimeout(subscribe, retryMs).unref();
          retryMs = Math.min(retryMs * 2, RESUBSCRIBE_MS.most);
        };
        const subscribe = () => {
          if (stopping) return;
          unsubscribe = client.subscribe<{ work: WorkMessage }>(
            { query: WORK, variables: { worker } },
            {
              next: (result) => {
                if (result.errors?.length) {
                  const error = new Error(result.errors.map((item) => item.message).join('; '));
                  if (!registered) reject(error);
                  else ended(error.message, error);
                  return;
                }
                const message = result.data?.work;
                if (!message) return;
                if (message.kind === 'REGISTERED') {
                  retryMs = RESUBSCRIBE_MS.first;
                  if (!registered) {
                    registered = true;
                    resolve();
                  }
                }
                receive(message);
              },
              error: (error) => {
                if (!registered) reject(error instanceof Error ? error : new Error(String(error)));
                else ended('it failed', error);
              },
              complete: () => {
                if (registered && workerId) ended('it completed');
              },
            },
          );
        };
        subscribe();
      });
    },
    async stop({ graceMs = 30_000 } = {}) {
      if (stopping) return;
      stopping = true;
      if (workerId) await request(DRAIN, { workerId }).catch(() => undefined);
      const all = () => Promise.all([...running.values()].map((job) => job.done));
      await Promise.race([all(), new Promise((resolve) => setTimeout(resolve, graceMs))]);
      for (const job of running.values()) job.controller.abort(new Stop('shutdown', 'the worker is stopping'));
      await Promise.race([all(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      clearInterval(heartbeat);
      unsubscribe?.();
      await client.dispose();
    },
  };
}
