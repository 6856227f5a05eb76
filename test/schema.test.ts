// schema.graphql is printed from the code, and keeps every part of the public contract.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The contract is kept in the repo so the check runs on any clone. It holds the team's
// shared contract (where there is one beside the repo) and the parts of the next one
// built so far.
const CONTRACT = new URL('../contract/api-contract.graphql', import.meta.url);
const SHARED_CONTRACT = new URL('../../shared/api-contract.graphql', import.meta.url);

describe('schema', () => {
  it('schema.graphql is what the code prints (run `npm run schema` when this fails)', () => {
    // In a child process, as `npm run check` runs it: vitest would load graphql twice.
    const run = spawnSync('npx', ['tsx', '--conditions=source', 'scripts/print-schema.ts', '--check'], { encoding: 'utf8' });
    expect(run.stderr).not.toContain('stale');
    expect(run.status).toBe(0);
  });

  it('keeps every part of the public API contract', () => {
    // In a child process: graphql-inspector and vitest would load two copies of graphql.
    const run = spawnSync('npx', ['tsx', 'scripts/check-contract.ts', CONTRACT.pathname], { encoding: 'utf8' });
    const breaking = JSON.parse(run.stdout) as string[];
    expect(breaking).toEqual([]);
  });

  it.skipIf(!existsSync(SHARED_CONTRACT))('holds every part of the shared contract beside the repo', () => {
    const run = spawnSync('npx', ['tsx', 'scripts/check-contract.ts', SHARED_CONTRACT.pathname, CONTRACT.pathname], { encoding: 'utf8' });
    expect(JSON.parse(run.stdout) as string[]).toEqual([]);
    expect(run.status).toBe(0);
  });
});
