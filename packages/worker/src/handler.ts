// A job type: a name, a payload schema and a run function. Handlers are plain objects,
// the same whether the service runs them (HANDLERS_DIR, its built-in types) or a worker
// of yours does (createWorker).
import type { PayloadSchema } from './schema.js';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** What a handler logs through: kept with the job (Job.logs) as well as printed. pino-style arguments. */
export interface JobLogger {
  debug(message: string, data?: object): void;
  debug(data: object, message?: string): void;
  info(message: string, data?: object): void;
  info(data: object, message?: string): void;
  warn(message: string, data?: object): void;
  warn(data: object, message?: string): void;
  error(message: string, data?: object): void;
  error(data: object, message?: string): void;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Fires when the job is cancelled, times out, or the worker shuts down: stop and return or throw promptly. */
  signal: AbortSignal;
  /** Reports progress, 0 to 100 (sent at most every 250 ms). */
  progress(percent: number): void;
  logger: JobLogger;
  /** In a flow: the results of the jobs it depends on, by their keys (all COMPLETED). */
  dependencies: Record<string, unknown>;
  /**
   * The job's trace (W3C traceparent of the service's attempt span) when the service
   * traces, else null. With @opentelemetry/api installed, `run` already runs in a span
   * under it (tracing.ts); this is for propagating it by other means. Optional, so a
   * context made by hand in a unit test needs none.
   */
  traceparent?: string | null;
}

export interface Handler<Schema extends PayloadSchema = PayloadSchema, Context extends JobContext = JobContext> {
  /** The job type's name, as submits give it (e.g. "image.thumbnail"). */
  name: string;
  description?: string;
  /** Any Standard Schema validator (zod 4, valibot, arktype, ...). */
  payload: Schema;
  /** The payload's JSON Schema, when the schema cannot give its own (Standard JSON Schema). */
  jsonSchema?: Record<string, unknown>;
  run(payload: StandardSchemaV1.InferOutput<Schema>, ctx: Context): Promise<unknown>;
}

/** Declares a handler, its payload typed from its schema. */
export function defineHandler<Schema extends PayloadSchema, Context extends JobContext = JobContext>(handler: Handler<Schema, Context>): Handler<Schema, Context> {
  return handler;
}

/** Whether `value` looks like a handler: what a module of HANDLERS_DIR exports. */
export function isHandler(value: unknown): value is Handler {
  const candidate = value as Partial<Handler> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function' &&
    typeof (candidate.payload as { '~standard'?: { validate?: unknown } } | undefined)?.['~standard']?.validate === 'function'
  );
}
