// Opaque, stable page cursors. A job cursor holds the sort key of the row it points at
// (not an offset), so pages do not shift when jobs are added, and it names the order it
// belongs to, so a cursor from another ordering is refused rather than misread.
import { isUuid } from './ids.js';
import { inInstantRange } from './errors.js';

export type JobOrderField = 'CREATED_AT' | 'UPDATED_AT' | 'PRIORITY';
export type OrderDirection = 'ASC' | 'DESC';
export type SortValue = string | number;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(order: JobOrderField, values: SortValue[]): string {
  return Buffer.from(JSON.stringify([order, ...values])).toString('base64url');
}

/** The sort key in the cursor, or null when it is not a cursor of this ordering. */
export function decodeCursor(cursor: string, order: JobOrderField, shape: readonly ('date' | 'int' | 'uuid')[]): SortValue[] | null {
  if (cursor.length > 512) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded[0] !== order || decoded.length !== shape.length + 1) return null;
  const values = decoded.slice(1) as unknown[];
  const valid = shape.every((kind, index) => {
    const value = values[index];
    // Only what encodeCursor writes: an int column's value, an ISO instant PostgreSQL reads as we do.
    if (kind === 'int') return Number.isInteger(value) && Math.abs(value as number) <= 2_147_483_647;
    if (typeof value !== 'string') return false;
    if (kind === 'date') return ISO_INSTANT.test(value) && inInstantRange(new Date(value));
    return isUuid(value);
  });
  return valid ? (values as SortValue[]) : null;
}
