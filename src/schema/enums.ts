import { builder } from './builder.js';

export const JobStatusEnum = builder.enumType('JobStatus', {
  values: {
    PENDING: { description: 'Accepted and waiting for a worker.' },
    SCHEDULED: { description: 'Waiting until runAt before it may run (a delayed job).' },
    RUNNING: { description: 'An attempt is running on a worker.' },
    RETRYING: { description: 'An attempt failed; waiting out its backoff before the next attempt.' },
    COMPLETED: { description: 'Finished successfully. Final.' },
    FAILED: { description: 'Failed and has no attempts left (the dead-letter state). Final until retried.' },
    CANCELLED: { description: 'Cancelled before it finished. Final until retried.' },
    BLOCKED: { description: 'Part of a flow: waits until every job it depends on is COMPLETED.' },
  } as const,
});

export const JobEventTypeEnum = builder.enumType('JobEventType', {
  values: {
    CREATED: { description: 'The job was accepted.' },
    STARTED: { description: 'A worker began an attempt.' },
    PROGRESS: { description: 'The handler reported progress.' },
    RETRY_SCHEDULED: { description: 'An attempt failed; the next one waits for its backoff.' },
    COMPLETED: { description: 'The handler returned a result.' },
    FAILED: { description: 'The last attempt failed, or the error was permanent.' },
    CANCELLED: { description: 'A client cancelled the job.' },
    RETRIED: { description: 'A person or client asked for a FAILED or CANCELLED job to run again.' },
    RELEASED: { description: 'Every job it depends on COMPLETED: it may run now (BLOCKED to PENDING).' },
  } as const,
});

export const BackoffTypeEnum = builder.enumType('BackoffType', {
  values: {
    FIXED: { description: 'The same delay before every retry.' },
    EXPONENTIAL: { description: 'delayMs doubled after each failed attempt.' },
  } as const,
});

export const JitterEnum = builder.enumType('Jitter', {
  values: {
    NONE: { description: 'Exactly the computed delay.' },
    FULL: { description: 'Uniform between 0 and the computed delay.' },
    EQUAL: { description: 'Half the computed delay plus uniform up to the other half.' },
    DECORRELATED: { description: 'Uniform between delayMs and three times the previous delay, capped.' },
  } as const,
});

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  values: {
    INVALID_INPUT: { description: 'A field is malformed or out of bounds; `field` says which.' },
    UNKNOWN_JOB_TYPE: { description: 'No handler has that name; see the jobTypes query.' },
    PAYLOAD_TOO_LARGE: { description: 'The payload is larger than the server accepts.' },
    NOT_FOUND: { description: 'No job (or schedule) with that id that the caller may see.' },
    INVALID_STATE: { description: 'The job is in a status that does not allow this.' },
    FORBIDDEN: { description: "The caller may not do this to this job or queue (another tenant's or owner's)." },
    LIMIT_EXCEEDED: { description: 'Refused by a limit (rate, size, count); the message says which and when to try again.' },
    INTERRUPTED: { description: 'An action on many jobs stopped partway (the service could not go on): `count` says how many changed. Repeat it for the rest.' },
  } as const,
});

export const JobOrderFieldEnum = builder.enumType('JobOrderField', { values: ['CREATED_AT', 'UPDATED_AT', 'PRIORITY'] as const });
export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
