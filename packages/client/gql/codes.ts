export const BackoffType = {
  /** delayMs doubled after each failed attempt. */
  EXPONENTIAL: 'EXPONENTIAL',
  /** The same delay before every retry. */
  FIXED: 'FIXED'
} as const;

export type BackoffType = typeof BackoffType[keyof typeof BackoffType];
/** The `extensions.code` of a GraphQL error this service sends (a mutation's expected refusals are UserErrorCode instead). */
export const ErrorCode = {
  /** An HTTP request the API does not take: a POST whose body is not JSON (HTTP 415). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A bad query argument (page size, cursor, malformed id, a NUL in a filter, a date outside 1970 to 9999, a document nested too deep); `extensions.field` names it. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** jobEvents(after:) points below events retention deleted; subscribe again with after: `extensions.resumeAfter`. */
  EVENTS_PRUNED: 'EVENTS_PRUNED',
  /** The credential lacks the scope (HTTP 403), or a caller who may change but not read a job asked for it in an answer. */
  FORBIDDEN: 'FORBIDDEN',
  /** Unexpected; logged by the service with its context, shown as "Unexpected error." */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The operation costs more than MAX_QUERY_COST, or a WebSocket holds MAX_SUBSCRIPTIONS_PER_CONNECTION operations; `extensions.limit` names it. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A feature the operator has not set up (createJobToken without JOB_TOKEN_SECRET). */
  NOT_CONFIGURED: 'NOT_CONFIGURED',
  /** A subscription to a job or flow that does not exist, or that the caller may not see. */
  NOT_FOUND: 'NOT_FOUND',
  /** More work per minute than the caller or its tenant may ask for; nothing was stored. `extensions.retryAfterMs` (HTTP 429, Retry-After). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** What was asked for passes MAX_RESPONSE_BYTES; nothing past it was read. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  /** PostgreSQL or Redis cannot be reached, or the identity provider's keys cannot be fetched; nothing was changed (HTTP 503). Retry shortly. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A subscriber fell too far behind; subscribe again with after: `extensions.resumeAfter`. Nothing is lost. */
  SUBSCRIBER_TOO_SLOW: 'SUBSCRIBER_TOO_SLOW',
  /** No credential, an unknown key, a refused token (the message says which check failed), or a token that expired while its WebSocket stayed open (HTTP 401; `extensions.resumeAfter` for a subscription). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A remote worker's `work` stream ended: it missed three heartbeats, or the service is shutting down. Its leases were lost (their jobs run again); connect again. */
  WORKER_LOST: 'WORKER_LOST'
} as const;

export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];
export const FlowStatus = {
  /** Cancelled by a client before it finished. */
  CANCELLED: 'CANCELLED',
  /** Every job COMPLETED. */
  COMPLETED: 'COMPLETED',
  /** A job FAILED; the jobs that depended on it were CANCELLED. */
  FAILED: 'FAILED',
  /** Some job has not finished yet. */
  RUNNING: 'RUNNING'
} as const;

export type FlowStatus = typeof FlowStatus[keyof typeof FlowStatus];
export const Jitter = {
  /** Uniform between delayMs and three times the previous delay, capped. */
  DECORRELATED: 'DECORRELATED',
  /** Half the computed delay plus uniform up to the other half. */
  EQUAL: 'EQUAL',
  /** Uniform between 0 and the computed delay. */
  FULL: 'FULL',
  /** Exactly the computed delay. */
  NONE: 'NONE'
} as const;

export type Jitter = typeof Jitter[keyof typeof Jitter];
export const JobEventType = {
  /** A client cancelled the job. */
  CANCELLED: 'CANCELLED',
  /** The handler returned a result. */
  COMPLETED: 'COMPLETED',
  /** The job was accepted. */
  CREATED: 'CREATED',
  /** The last attempt failed, or the error was permanent. */
  FAILED: 'FAILED',
  /** The handler reported progress. */
  PROGRESS: 'PROGRESS',
  /** A client ran a SCHEDULED or RETRYING job now instead of at its runAt (promoteJob). */
  PROMOTED: 'PROMOTED',
  /** Every job it depends on COMPLETED: it may run now (BLOCKED to PENDING). */
  RELEASED: 'RELEASED',
  /** A person or client asked for a FAILED or CANCELLED job to run again. */
  RETRIED: 'RETRIED',
  /** An attempt failed; the next one waits for its backoff. */
  RETRY_SCHEDULED: 'RETRY_SCHEDULED',
  /** A worker began an attempt. */
  STARTED: 'STARTED'
} as const;

export type JobEventType = typeof JobEventType[keyof typeof JobEventType];
export const JobOrderField = {
  CREATED_AT: 'CREATED_AT',
  PRIORITY: 'PRIORITY',
  UPDATED_AT: 'UPDATED_AT'
} as const;

export type JobOrderField = typeof JobOrderField[keyof typeof JobOrderField];
export const JobStatus = {
  /** Part of a flow: waits until every job it depends on is COMPLETED. */
  BLOCKED: 'BLOCKED',
  /** Cancelled before it finished. Final until retried. */
  CANCELLED: 'CANCELLED',
  /** Finished successfully. Final. */
  COMPLETED: 'COMPLETED',
  /** Failed and has no attempts left (the dead-letter state). Final until retried. */
  FAILED: 'FAILED',
  /** Accepted and waiting for a worker. */
  PENDING: 'PENDING',
  /** An attempt failed; waiting out its backoff before the next attempt. */
  RETRYING: 'RETRYING',
  /** An attempt is running on a worker. */
  RUNNING: 'RUNNING',
  /** Waiting until runAt before it may run (a delayed job). */
  SCHEDULED: 'SCHEDULED'
} as const;

export type JobStatus = typeof JobStatus[keyof typeof JobStatus];
export const LogLevel = {
  DEBUG: 'DEBUG',
  ERROR: 'ERROR',
  INFO: 'INFO',
  WARN: 'WARN'
} as const;

export type LogLevel = typeof LogLevel[keyof typeof LogLevel];
export const OrderDirection = {
  ASC: 'ASC',
  DESC: 'DESC'
} as const;

export type OrderDirection = typeof OrderDirection[keyof typeof OrderDirection];
/** Why a mutation changed nothing (its userErrors). */
export const UserErrorCode = {
  /** The caller may see this job or schedule but not change it (another owner's). */
  FORBIDDEN: 'FORBIDDEN',
  /** An action on many jobs stopped partway (the service could not go on): `count` says how many changed. Repeat it for the rest. */
  INTERRUPTED: 'INTERRUPTED',
  /** A field is malformed or out of bounds; `field` says which. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The job is in a status that does not allow this; the message says why. */
  INVALID_STATE: 'INVALID_STATE',
  /** Refused by a limit (rate, size, count); the message says which and when to try again. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** No job (or schedule, or flow) with that id that the caller may see. */
  NOT_FOUND: 'NOT_FOUND',
  /** The payload is larger than the server accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** No handler has that name; see the jobTypes query. */
  UNKNOWN_JOB_TYPE: 'UNKNOWN_JOB_TYPE'
} as const;

export type UserErrorCode = typeof UserErrorCode[keyof typeof UserErrorCode];
export const WorkMessageKind = {
  /** Stop the job of `lease` (cancelled, timed out, or the service is stopping); its outcome is no longer taken. */
  CANCEL: 'CANCEL',
  /** A job to run under `lease`: answer with completeJob, failJob or handBackJob. */
  JOB: 'JOB',
  /** The worker is registered: `workerId`, and `heartbeatMs` (beat that often; three missed and its jobs run elsewhere). */
  REGISTERED: 'REGISTERED'
} as const;

export type WorkMessageKind = typeof WorkMessageKind[keyof typeof WorkMessageKind];
export const WorkerKind = {
  /** A worker of a service process (ROLE=all or worker), running in-process handlers. */
  IN_PROCESS: 'IN_PROCESS',
  /** A worker connected over the API from its own process, running its own code. */
  REMOTE: 'REMOTE'
} as const;

export type WorkerKind = typeof WorkerKind[keyof typeof WorkerKind];