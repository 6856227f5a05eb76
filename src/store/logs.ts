// The statement that keeps job logs: many lines, of many jobs, in one INSERT, ids in the
// order the lines were logged. A line of a job deleted before the statement began
// (retention, deleteJobs) is dropped rather than failing the rest.
import type pg from 'pg';
import { run, statement } from './statement.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface NewJobLog {
  jobId: string;
  attempt: number;
  level: LogLevel;
  message: string;
  data: unknown;
  at: Date;
}

const APPEND = statement<never>(
  'logs.append',
  `INSERT INTO job_logs (job_id, attempt, level, message, data, at)
   SELECT x.job_id, x.attempt, x.level::"LogLevel", x.message, x.data, x.at
   FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (job_id uuid, attempt int, level text, message text, data jsonb, at timestamptz))
        WITH ORDINALITY AS x(job_id, attempt, level, message, data, at, n)
   WHERE EXISTS (SELECT 1 FROM jobs WHERE jobs.id = x.job_id)
   ORDER BY x.n`,
);

export async function appendLogs(pool: pg.Pool, lines: NewJobLog[]): Promise<void> {
  const rows = JSON.stringify(lines.map((line) => ({ job_id: line.jobId, attempt: line.attempt, level: line.level, message: line.message, data: line.data ?? null, at: line.at })));
  try {
    await run(pool, APPEND, [rows]);
  } catch (error) {
    // A job deleted after the statement's snapshot but before its foreign-key check: once
    // more, in a new statement, whose EXISTS no longer sees it; the other jobs' lines stay.
    if ((error as { code?: string }).code !== '23503') throw error;
    await run(pool, APPEND, [rows]);
  }
}

const COUNT = statement<{ count: string }>('logs.count', 'SELECT count(*) AS count FROM job_logs WHERE job_id = $1');

/** Lines a job has kept so far, over all its attempts (and retries). */
export async function countLogs(pool: pg.Pool, jobId: string): Promise<number> {
  const [row] = await run(pool, COUNT, [jobId]);
  return Number(row?.count ?? 0);
}
