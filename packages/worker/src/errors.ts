// Errors as jobgraph keeps them. A handler throws anything; its class (or code), message,
// stack and `cause` chain are kept with the attempt, each cut to a bounded size. Throwing
// a PermanentError fails the job at once, whatever attempts it has left.

/**
 * The brand that marks a PermanentError. Symbol.for names one symbol for the whole
 * process, so every copy and version of this package (and the service's own) agree: a
 * PermanentError from a handler's node_modules is recognised by a service built with
 * another copy, which `instanceof` would not do.
 */
const PERMANENT = Symbol.for('jobgraph.PermanentError');

/**
 * Thrown by a handler when retrying cannot help (bad credentials, a record that no
 * longer exists): the job fails at once, whatever attempts it has left. Options as for
 * Error: `new PermanentError('no such account', { cause: error })`.
 */
export class PermanentError extends Error {
  readonly [PERMANENT] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Whether `error` is a PermanentError of any copy or version of this package. */
export function isPermanentError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PERMANENT] === true;
}

/** Why an attempt failed, as kept with the job (GraphQL type AttemptError). */
export interface AttemptError {
  /** The error's class or code: "TypeError", "ECONNREFUSED", "PermanentError". */
  name: string;
  message: string;
  stack: string | null;
  cause: AttemptError | null;
}

/** How much of an error is kept. */
export const ERROR_LIMITS = { nameChars: 200, messageChars: 4000, stackChars: 8000, causes: 5 } as const;

const cut = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An error (or any thrown value) as kept with the attempt: its class, or its `code`
 * where it has one (a system error's ECONNREFUSED says more than "Error"), message,
 * stack and causes, each cut to ERROR_LIMITS.
 */
export function serializeError(error: unknown, depth = 0): AttemptError {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string')) {
    return { name: 'Error', message: cut(describeValue(error), ERROR_LIMITS.messageChars), stack: null, cause: null };
  }
  const record = error as Error & { code?: unknown; cause?: unknown };
  const name = typeof record.code === 'string' && record.code ? record.code : record.name || record.constructor?.name || 'Error';
  const cause = record.cause !== undefined && depth + 1 < ERROR_LIMITS.causes ? serializeError(record.cause, depth + 1) : null;
  return {
    name: cut(String(name), ERROR_LIMITS.nameChars),
    message: cut(String(record.message ?? ''), ERROR_LIMITS.messageChars),
    stack: typeof record.stack === 'string' ? cut(record.stack, ERROR_LIMITS.stackChars) : null,
    cause,
  };
}

/** The error and its causes in one line: "TypeError: fetch failed <- ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9". */
export function describeError(error: AttemptError): string {
  const parts: string[] = [];
  for (let current: AttemptError | null = error; current; current = current.cause) parts.push(`${current.name}: ${current.message}`);
  return parts.join(' <- ');
}
