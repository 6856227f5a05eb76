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
