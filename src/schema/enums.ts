import { ERROR_CODES, USER_ERROR_CODES, type ErrorCode, type UserErrorCode } from '../domain/errors.js';
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
    PROMOTED: { description: 'A client ran a SCHEDULED or RETRYING job now instead of at its runAt (promoteJob).' },
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
  description: 'Why a mutation changed nothing (its userErrors).',
  values: Object.fromEntries(Object.entries(USER_ERROR_CODES).map(([code, description]) => [code, { description }])) as Record<UserErrorCode, { description: string }>,
});

builder.enumType('ErrorCode', {
  description: 'The `extensions.code` of a GraphQL error this service sends (a mutation\'s expected refusals are UserErrorCode instead).',
  values: Object.fromEntries(Object.entries(ERROR_CODES).map(([code, description]) => [code, { description }])) as Record<ErrorCode, { description: string }>,
});

export const JobOrderFieldEnum = builder.enumType('JobOrderField', { values: ['CREATED_AT', 'UPDATED_AT', 'PRIORITY'] as const });
export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
