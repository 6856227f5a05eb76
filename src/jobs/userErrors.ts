// Expected refusals: returned to the client as data (`userErrors`), never thrown.
import { GraphQLError } from 'graphql';
import type { z } from 'zod';

export type UserErrorCode = 'INVALID_INPUT' | 'UNKNOWN_JOB_TYPE' | 'PAYLOAD_TOO_LARGE' | 'NOT_FOUND' | 'INVALID_STATE';

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

/** Refuses a filter list past FILTER_LIMITS, naming the field. */
export function checkFilterList(field: string[], values: readonly string[] | null | undefined): void {
  if (!values) return;
  if (values.length > FILTER_LIMITS.values) throw new InvalidArgumentError(field, `at most ${FILTER_LIMITS.values} values`);
  if (values.some((value) => value.length > FILTER_LIMITS.chars)) {
    throw new InvalidArgumentError(field, `values are at most ${FILTER_LIMITS.chars} characters`);
  }
}
