// Every code a client can meet, in one list (the schema prints both as enums, so the
// typed client and the dashboard get them from codegen), and how each travels:
//
//   USER_ERROR_CODES  a mutation's `userErrors`: the refusal is data, nothing was changed
//   ERROR_CODES       a GraphQL error's `extensions.code`: a whole operation refused, or a
//                     query or subscription that has no payload to carry a userError
//
// NOT_FOUND, FORBIDDEN and LIMIT_EXCEEDED are in both: a mutation says them as userErrors,
// a query or subscription as errors.
import { GraphQLError } from 'graphql';
import type { z } from 'zod';

export const USER_ERROR_CODES = {
  INVALID_INPUT: 'A field is malformed or out of bounds; `field` says which.',
  UNKNOWN_JOB_TYPE: 'No handler has that name; see the jobTypes query.',
  PAYLOAD_TOO_LARGE: 'The payload is larger than the server accepts.',
  NOT_FOUND: 'No job (or schedule, or flow) with that id that the caller may see.',
  INVALID_STATE: 'The job is in a status that does not allow this; the message says why.',
  FORBIDDEN: "The caller may see this job or schedule but not change it (another owner's).",
  LIMIT_EXCEEDED: 'Refused by a limit (rate, size, count); the message says which and when to try again.',
  INTERRUPTED: 'An action on many jobs stopped partway (the service could not go on): `count` says how many changed. Repeat it for the rest.',
} as const;

export type UserErrorCode = keyof typeof USER_ERROR_CODES;

export const ERROR_CODES = {
  BAD_REQUEST: 'An HTTP request the API does not take: a POST whose body is not JSON (HTTP 415).',
  BAD_USER_INPUT: 'A bad query argument (page size, cursor, malformed id, a NUL in a filter, a date outside 1970 to 9999, a document nested too deep); `extensions.field` names it.',
  UNAUTHENTICATED: 'No credential, an unknown key, a refused token (the message says which check failed), or a token that expired while its WebSocket stayed open (HTTP 401; `extensions.resumeAfter` for a subscription).',
  FORBIDDEN: 'The credential lacks the scope (HTTP 403), or a caller who may change but not read a job asked for it in an answer.',
  NOT_FOUND: 'A subscription to a job or flow that does not exist, or that the caller may not see.',
  NOT_CONFIGURED: 'A feature the operator has not set up (createJobToken without JOB_TOKEN_SECRET).',
  RATE_LIMITED: 'More work per minute than the caller or its tenant may ask for; nothing was stored. `extensions.retryAfterMs` (HTTP 429, Retry-After).',
  LIMIT_EXCEEDED: 'The operation costs more than MAX_QUERY_COST, or a WebSocket holds MAX_SUBSCRIPTIONS_PER_CONNECTION operations; `extensions.limit` names it.',
  RESPONSE_TOO_LARGE: 'What was asked for passes MAX_RESPONSE_BYTES; nothing past it was read.',
  SERVICE_UNAVAILABLE: "PostgreSQL or Redis cannot be reached, or the identity provider's keys cannot be fetched; nothing was changed (HTTP 503). Retry shortly.",
  SUBSCRIBER_TOO_SLOW: 'A subscriber fell too far behind; subscribe again with after: `extensions.resumeAfter`. Nothing is lost.',
  WORKER_LOST: "A remote worker's `work` stream ended: it missed three heartbeats, or the service is shutting down. Its leases were lost (their jobs run again); connect again.",
  EVENTS_PRUNED: 'jobEvents(after:) points below events retention deleted; subscribe again with after: `extensions.resumeAfter`.',
  INTERNAL_SERVER_ERROR: 'Unexpected; logged by the service with its context, shown as "Unexpected error."',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A GraphQL error with its code (and any further extensions: `field`, `limit`, `resumeAfter`, `http`). */
export function graphqlError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export interface UserError {
  code: UserErrorCode;
  message: string;
  /** Path to the input field at fault, e.g. ["input", "payload", "url"]. */
  field: string[] | null;
}

export function userError(code: UserErrorCode, field: (string | number)[] | null, message: string): UserError {
  return { code, message, field: field?.map(String) ?? null };
}

/** One INVALID_INPUT per zod issue, each naming the field below `at`. */
export function fromZod(error: z.ZodError, at: (string | number)[]): UserError[] {
  return error.issues.map((issue) => {
    const field = [...at, ...issue.path.map((part) => String(part))];
    return userError('INVALID_INPUT', field, `${field.join('.')}: ${issue.message}`);
  });
}

/**
 * A query argument out of bounds or malformed (a page size, a cursor, an id). Queries
 * have no `userErrors`, so this is a GraphQL error with code BAD_USER_INPUT and the field.
 */
export class InvalidArgumentError extends GraphQLError {
  constructor(field: (string | number)[], message: string) {
    super(`${field.join('.')}: ${message}`, { extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, field: field.map(String) } });
  }
}

/** Bounds of a list filter (statuses, types, queues): how many values, how long each. */
export const FILTER_LIMITS = { values: 100, chars: 255 } as const;

/** Refuses a filter string PostgreSQL could not compare (too long, a NUL, a lone surrogate), naming the field. */
export function checkFilterText(field: string[], value: string): void {
  if (value.length > FILTER_LIMITS.chars) throw new InvalidArgumentError(field, `values are at most ${FILTER_LIMITS.chars} characters`);
  if (value.includes('\u0000') || !value.isWellFormed()) throw new InvalidArgumentError(field, 'values must be text without NUL characters or unpaired surrogates');
}

/** Refuses a filter list past FILTER_LIMITS, naming the field. */
export function checkFilterList(field: string[], values: readonly string[] | null | undefined): void {
  if (!values) return;
  if (values.length > FILTER_LIMITS.values) throw new InvalidArgumentError(field, `at most ${FILTER_LIMITS.values} values`);
  for (const value of values) checkFilterText(field, value);
}

/** The instants the service stores and compares: PostgreSQL and JavaScript agree on these. */
export const INSTANT_RANGE = { min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) } as const;

export function inInstantRange(date: Date): boolean {
  const time = date.getTime();
  return time >= INSTANT_RANGE.min && time <= INSTANT_RANGE.max;
}

/** Refuses a date outside INSTANT_RANGE (year 0, say), naming the field. */
export function checkInstant(field: string[], date: Date | null | undefined): void {
  if (date && !inInstantRange(date)) throw new InvalidArgumentError(field, 'must be between 1970-01-01 and 9999-12-31');
}

// Handlers throw it to fail for good, from any copy of @jobgraph/worker (a brand, not instanceof).
export { isPermanentError, PermanentError, serializeError, type AttemptError } from '@jobgraph/worker';
