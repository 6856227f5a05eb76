// data.export: writes the jobs matching a filter to a file, as CSV or NDJSON, streamed
// from PostgreSQL through a cursor, so memory stays flat however many rows match.
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import { z } from 'zod';
import { JOB_STATUSES } from '../domain/model.js';
import type { OutputDir } from '../files/outputDir.js';
import { EXPORT_COLUMNS as COLUMNS, exportStatement } from '../store/export.js';
import { defineHandler, PermanentError } from './handler.js';

export interface ExportSettings {
  databaseUrl: string;
  /** Where the files go, and how much may be written there. */
  output: OutputDir;
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
      const { text, values } = exportStatement(filter, ctx.reach);

      const file = await settings.output.reserve(`${ctx.jobId}.${format}`);
      const client = new pg.Client({ connectionString: settings.databaseUrl });
      await client.connect();
      let rows = 0;
      let bytes = 0;
      try {
        const source = client.query(new QueryStream(text, values, { batchSize: 1000 }));
        const encode = new Transform({
          writableObjectMode: true,
          transform(row: Record<string, unknown>, _encoding, done) {
            rows++;
            if (rows % 10_000 === 0) ctx.logger.debug({ rows }, 'exporting');
            const line = format === 'csv' ? `${COLUMNS.map((column) => csvField(row[column])).join(',')}\n` : `${JSON.stringify(row)}\n`;
            bytes += Buffer.byteLength(line);
            if (bytes > file.maxBytes) {
              done(new PermanentError(`the export would pass OUTPUT_MAX_BYTES (${file.maxBytes} bytes left of it); narrow the filter or free space`));
            } else {
              done(null, line);
            }
          },
        });
        if (format === 'csv') {
          const header = `${COLUMNS.join(',')}\n`;
          bytes += header.length;
          encode.push(header);
        }
        await pipeline(source, encode, createWriteStream(file.partPath), { signal: ctx.signal });
        await file.commit();
      } catch (error) {
        await file.discard();
        throw error;
      } finally {
        await client.end();
      }
      return { path: file.path, rows, bytes, format };
    },
  });
}
