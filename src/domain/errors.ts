// Expected refusals: returned to the client as data (`userErrors`), never thrown.
import { GraphQLError } from 'graphql';
import type { z } from 'zod';

export type UserErrorCode = 'INVALID_INPUT' | 'UNKNOWN_JOB_TYPE' | 'PAYLOAD_TOO_LARGE' | 'NOT_FOUND' | 'INVALID_STATE' | 'FORBIDDEN' | 'LIMIT_EXCEEDED' | 'INTERRUPTED';

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
    super(`${field.join('.')}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field: field.map(String) } });
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

/**
 * Thrown by a handler when retrying cannot help (bad credentials, a record that no
 * longer exists): the job fails at once, whatever attempts it has left.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
