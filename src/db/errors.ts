// Telling "PostgreSQL is unreachable" apart from every other failure: the API answers
// it with SERVICE_UNAVAILABLE, and workers stop taking jobs until it is back.

// Node's socket errors, PostgreSQL's connection-class SQLSTATEs (08xxx) and shutdown
// codes (57P01-57P03), and Prisma's "can't reach the database" codes.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  'P1001',
  'P1002',
  'P1017',
]);
// The pg driver and the Prisma adapter say so in words where they have no code.
const UNAVAILABLE_MESSAGES = [/connection terminated/i, /connection timeout/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /DatabaseNotReachable/i, /ConnectionClosed/i, /server (has )?closed the connection/i];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== 'object') break;
    const record = current as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown; originalCode?: unknown };
    for (const code of [record.code, record.originalCode, record.kind]) {
      if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code === 'DatabaseNotReachable' || code === 'ConnectionClosed')) return true;
    }
    if (typeof record.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(record.message as string))) return true;
    current = record.cause;
  }
  return false;
}
