// The statement behind data.export: the jobs matching a filter, oldest first, as rows of
// plain columns for a file. The handler streams it through a cursor on its own connection.
import type { Reach } from '../domain/reach.js';
import type { JobStatus } from '../domain/model.js';

export const EXPORT_COLUMNS = ['id', 'queue', 'type', 'status', 'priority', 'attempts', 'max_attempts', 'created_at', 'finished_at', 'last_error', 'payload', 'result'] as const;

export interface ExportFilter {
  status?: JobStatus[];
  type?: string[];
  queue?: string[];
  createdAfter?: string;
  createdBefore?: string;
}

/** The jobs matching `filter` among those `reach` allows (the export job's submitter's). */
export function exportStatement(filter: ExportFilter, reach: Reach): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    values.push(value);
    where.push(sql(values.length));
  };
  if (filter.status) add((n) => `status = ANY($${n}::"JobStatus"[])`, filter.status);
  if (filter.type) add((n) => `type = ANY($${n}::text[])`, filter.type);
  if (filter.queue) add((n) => `queue = ANY($${n}::text[])`, filter.queue);
  if (filter.createdAfter) add((n) => `created_at > $${n}`, filter.createdAfter);
  if (filter.createdBefore) add((n) => `created_at < $${n}`, filter.createdBefore);
  if (reach.tenant !== undefined) add((n) => `tenant = $${n}`, reach.tenant);
  if (reach.owner !== undefined) add((n) => `owner = $${n}`, reach.owner);
  if (reach.jobId !== undefined) add((n) => `id = $${n}::uuid`, reach.jobId);
  const text = `SELECT ${EXPORT_COLUMNS.join(', ')} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
  return { text, values };
}
