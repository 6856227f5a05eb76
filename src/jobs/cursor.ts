// Opaque, stable page cursors. A job cursor holds the sort key of the row it points at
// (not an offset), so pages do not shift when jobs are added, and it names the order it
// belongs to, so a cursor from another ordering is refused rather than misread.
import { isUuid } from './ids.js';
import type { JobOrderField } from './queries.js';

export type SortValue = string | number;

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
    if (kind === 'int') return Number.isSafeInteger(value);
    if (typeof value !== 'string') return false;
    if (kind === 'date') return !Number.isNaN(Date.parse(value));
    return isUuid(value);
  });
  return valid ? (values as SortValue[]) : null;
}
