// What a job type is, for the service's own workers: the same handlers as a worker of
// yours runs (@jobgraph/worker: a name, a Standard Schema payload, a run function), with
// two more things in their context: the job's reach (what it may read on its
// submitter's behalf, for data.export) and the service's own logger.
import { defineHandler as define, type Handler, type JobContext as WorkerJobContext, type PayloadSchema } from '@jobgraph/worker';
import type { Reach } from '../domain/reach.js';
import type { Logger } from '../logger.js';

export { PermanentError } from '@jobgraph/worker';

/** What a handler gets besides its payload, when the service runs it. */
export interface JobContext extends WorkerJobContext {
  logger: Logger;
  /** The jobs this job may read on its submitter's behalf: its tenant's, or only its owner's. */
  reach: Reach;
}

/** A handler the service runs: any @jobgraph/worker handler (its context has more than it needs). */
export type JobHandler<Schema extends PayloadSchema = PayloadSchema> = Handler<Schema, JobContext> | Handler<Schema>;

/** The package's defineHandler, typed with what the service's own handlers get. */
export function defineHandler<Schema extends PayloadSchema>(handler: Handler<Schema, JobContext>): Handler<Schema, JobContext> {
  return define(handler);
}
