// data.export: writes the jobs matching a filter to a file, as CSV or NDJSON, streamed
// from PostgreSQL through a cursor, so memory stays flat however many rows match.
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { z } from 'zod';
import { JOB_STATUSES } from '../jobs/model.js';
import { defineHandler } from './handler.js';

const COLUMNS = ['id', 'queue', 'type', 'status', 'priority', 'attempts', 'max_attempts', 'created_at', 'finished_at', 'last_error', 'payload', 'result'] as const;

export interface ExportSettings {
  databaseUrl: string;
  /** Directory the files are written to (created if missing). */
  dir: string;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function dataExport(settings: ExportSettings) {
  return defineHandler({
    name: 'data.export',
    description: 'Writes the jobs matching `filter` to a CSV or NDJSON file on the workers. Completes with { path, rows, bytes }.',
    payload: z
      .object({
        filter: z
          .object({
            status: z.array(z.enum(JOB_STATUSES)).max(100).optional(),
            type: z.array(z.string().max(255)).max(100).optional(),
            queue: z.array(z.string().max(255)).max(100).optional(),
            createdAfter: z.iso.datetime({ offset: true }).optional(),
            createdBefore: z.iso.datetime({ offset: true }).optional(),
          })
          .strict()
          .default({}),
        format: z.enum(['csv', 'ndjson']),
      })
      .strict(),
    async run({ filter, format }, ctx) {
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
      const sql = `SELECT ${COLUMNS.join(', ')} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;

      await mkdir(settings.dir, { recursive: true });
      const path = resolve(join(settings.dir, `${ctx.jobId}.${format}`));
      const client = new pg.Client({ connectionString: settings.databaseUrl });
      await client.connect();
      let rows = 0;
      try {
        const source = client.query(new QueryStream(sql, values, { batchSize: 1000 }));
        const encode = new Transform({
          writableObjectMode: true,
          transform(row: Record<string, unknown>, _encoding, done) {
            rows++;
            if (rows % 10_000 === 0) ctx.logger.debug({ rows }, 'exporting');
            done(null, format === 'csv' ? `${COLUMNS.map((column) => csvField(row[column])).join(',')}\n` : `${JSON.stringify(row)}\n`);
          },
        });
        if (format === 'csv') encode.push(`${COLUMNS.join(',')}\n`);
        await pipeline(source, encode, createWriteStream(path), { signal: ctx.signal });
      } finally {
        await client.end();
      }
      return { path, rows, bytes: (await stat(path)).size, format };
    },
  });
}
