// One store: every statement on the job tables lives in src/store, where the rules they
// share (the event-ordering lock, the column maps, the watermark) are written once. This
// fails when a statement on those tables appears anywhere else in src.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const SRC = new URL('../src', import.meta.url).pathname;
// Prisma's generated client, and the store itself, are where such text belongs.
const ALLOWED = [/^store\//, /^generated\//];
const STATEMENT =
  /\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+"?(jobs|job_events|job_logs|job_dependencies|job_counts|maintenance)\b|\.(job|jobEvent|jobLog|jobDependency|jobCount|maintenance)\.(find\w*|create\w*|update\w*|delete\w*|count|upsert|aggregate|groupBy)\(/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

it('keeps every statement on jobs, job_events, job_logs, job_dependencies, job_counts and maintenance in src/store', () => {
  const outside = files(SRC)
    .map((file) => relative(SRC, file))
    .filter((file) => !ALLOWED.some((allowed) => allowed.test(file)))
    .flatMap((file) =>
      readFileSync(join(SRC, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (STATEMENT.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
  expect(outside).toEqual([]);
});
