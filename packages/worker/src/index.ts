// @jobgraph/worker: write job handlers for jobgraph and run them, in the service
// (HANDLERS_DIR) or in a process of your own connected to it (createWorker).
export { defineHandler, isHandler, type Handler, type JobContext, type JobLogger } from './handler.js';
export { describeError, ERROR_LIMITS, isPermanentError, PermanentError, serializeError, type AttemptError } from './errors.js';
export { payloadJsonSchema, validatePayload, type PayloadIssue, type PayloadSchema, type Validated } from './schema.js';
export type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
export { createWorker, type JobgraphWorker, type WorkerOptions } from './worker.js';
// What the service hands a worker: the service builds it, the worker reads it.
export type { WorkItem } from './protocol.js';
