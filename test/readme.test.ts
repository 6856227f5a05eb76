// The README's worked examples, run as written against a real service: a block marked
// `<!-- example: NAME -->` is copied next to the README (so its imports resolve as they
// read there) and imported with the environment it names.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

const README = new URL('../README.md', import.meta.url);
const ACME = 'acme-readme-0123456789abcdef';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    API_KEYS: `acme-backend:${ACME}:jobs:read,jobs:write:acme`,
    JOB_TOKEN_SECRET: 'readme-job-token-secret-0123456789abcdef',
  });
});
afterAll(async () => {
  await app?.stop();
});

/** The code of the README block marked `<!-- example: name -->`. */
function example(name: string): string {
  const text = readFileSync(README, 'utf8');
  const match = new RegExp(`<!-- example: ${name}[^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (!match) throw new Error(`README has no example "${name}"`);
  return match[1] as string;
}

async function run(name: string, env: Record<string, string>): Promise<unknown[][]> {
  const file = new URL(`../.readme-example-${name}-${process.pid}.ts`, import.meta.url);
  writeFileSync(file, example(name));
  const printed: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
  Object.assign(process.env, env);
  try {
    await import(file.href);
  } finally {
    log.mockRestore();
    for (const key of Object.keys(env)) delete process.env[key];
    rmSync(file, { force: true });
  }
  return printed;
}

it('a frontend watches its own job with a job token, as the README shows', async () => {
  const printed = await run('job-token', { JOBGRAPH_URL: app.url, ACME_KEY: ACME });
  expect(printed).toHaveLength(1);
  const [status, result, until] = printed[0] as [string, unknown, string];
  expect(status).toBe('COMPLETED');
  expect(result).toEqual({ report: 'monthly' });
  expect(until).toMatch(/^token valid until \d{4}-/);
});
