// What a job type is: a name, a zod payload schema and a run function. Handlers are
// plain objects so that users can add their own without subclassing anything.
import type { z } from 'zod';
import type { Reach } from '../domain/reach.js';
import type { Logger } from '../logger.js';

// Handlers throw it to fail for good; it is part of the vocabulary (domain/errors.ts).
export { PermanentError } from '../domain/errors.js';

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Fired when the job is cancelled or times out: stop work and return or throw promptly. */
  signal: AbortSignal;
  /** Reports progress, 0 to 100. */
  progress(percent: number): void;
  logger: Logger;
  /** The jobs this job may read on its submitter's behalf: its tenant's, or only its owner's. */
  reach: Reach;
  /** In a flow: the results of the jobs it depends on, by their keys (all COMPLETED). */
  dependencies: Record<string, unknown>;
}

export interface JobHandler<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  payload: Schema;
  run(payload: z.output<Schema>, ctx: JobContext): Promise<unknown>;
}

/** Declares a handler with its payload type inferred from the schema. */
export function defineHandler<Schema extends z.ZodType>(handler: JobHandler<Schema>): JobHandler<Schema> {
  return handler;
}
