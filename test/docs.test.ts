// The examples of the README and of docs/, run as written against a real service, so
// they cannot rot. Every ```graphql and ```ts block is marked `<!-- example: NAME -->`
// (a test fails on one that is not); GraphQL blocks are sent with an operator key and
// must answer without errors or userErrors; TypeScript blocks are copied to the
// repository's root (so their imports resolve as they read there) and imported with the
// environment they name: JOBGRAPH_URL, JOBGRAPH_KEY, ACME_KEY, WORKER_KEY (jobs:work). The reference parts of
// docs/ are printed from the code and checked by `npm run docs -- --check`.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { buildSchema, parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

const ROOT = new URL('../', import.meta.url);
/** The README and every page of docs/. */
const PAGES = [new URL('README.md', ROOT), ...readdirSync(new URL('docs/', ROOT)).filter((file) => file.endsWith('.md')).map((file) => new URL(`docs/${file}`, ROOT))];
const KEYS = { ops: 'ops-readme-0123456789abcdef', app: 'app-readme-0123456789abcdef', acme: 'acme-readme-0123456789abcdef', worker: 'worker-readme-0123456789abcdef' };
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    API_KEYS: `ops:${KEYS.ops}:admin;app:${KEYS.app}:jobs:read,jobs:write;acme-backend:${KEYS.acme}:jobs:read,jobs:write:acme;fleet:${KEYS.worker}:jobs:work`,
    JOB_TOKEN_SECRET: 'readme-job-token-secret-0123456789abcdef',
  });
});
afterAll(async () => {
  await app?.stop();
});

interface Example {
  name: string;
  lang: string;
  code: string;
}

/** Every fenced block of the README and docs/ with its language and, if marked, its name. */
function blocks(): (Omit<Example, 'name'> & { name: string | null })[] {
  const text = PAGES.map((page) => readFileSync(page, 'utf8')).join('\n');
  return [...text.matchAll(/(?:<!-- example: ([\w-]+)[^>]*-->\n)?```(\w*)\n([\s\S]*?)\n```/g)].map((match) => ({
    name: match[1] ?? null,
    lang: match[2] ?? '',
    code: match[3] ?? '',
  }));
}

const example = (name: string): Example => {
  const found = blocks().find((block) => block.name === name);
  if (!found) throw new Error(`no example "${name}" in the README or docs/`);
  return found as Example;
};

async function runTs(name: string): Promise<unknown[][]> {
  const file = new URL(`../.docs-example-${name}-${process.pid}.ts`, import.meta.url);
  writeFileSync(file, example(name).code);
  const printed: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
  const env = { JOBGRAPH_URL: app.url, JOBGRAPH_KEY: KEYS.app, ACME_KEY: KEYS.acme, WORKER_KEY: KEYS.worker };
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

async function post(query: string, key = KEYS.ops): Promise<{ data?: Record<string, { userErrors?: unknown[] }>; errors?: unknown[] }> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as never;
}

it('marks every GraphQL and TypeScript example of the README and docs/, so each is run below', () => {
  const unmarked = blocks().filter((block) => ['graphql', 'ts'].includes(block.lang) && block.name === null);
  expect(unmarked.map((block) => block.code.split('\n')[0])).toEqual([]);
  const names = blocks().flatMap((block) => (block.name ? [block.name] : []));
  expect(names.sort()).toEqual(['first-job', 'flow', 'graphql-ws', 'job-token', 'schedule', 'submit', 'typed-client', 'work-subscription', 'worker']);
});

describe('GraphQL examples', () => {
  for (const name of ['first-job', 'submit', 'schedule', 'flow']) {
    it(`${name} runs as written`, async () => {
      const { data, errors } = await post(example(name).code);
      expect(errors).toBeUndefined();
      for (const payload of Object.values(data ?? {})) expect(payload.userErrors ?? []).toEqual([]);
    });
  }
});

it('work-subscription: is a valid operation of the schema (a worker\'s stream cannot be POSTed)', () => {
  const schema = buildSchema(readFileSync(new URL('schema.graphql', ROOT), 'utf8'));
  expect(validate(schema, parse(example('work-subscription').code)).map((error) => error.message)).toEqual([]);
});

describe('TypeScript examples', () => {
  it('type-check as written (strict, as the project)', { timeout: 120_000 }, async () => {
    const names = blocks().filter((block) => block.lang === 'ts' && block.name).map((block) => block.name as string);
    const files = names.map((name) => `.docs-typecheck-${name}-${process.pid}.ts`);
    const config = `.docs-typecheck-${process.pid}.json`;
    const root = new URL('../', import.meta.url);
    try {
      names.forEach((name, index) => writeFileSync(new URL(files[index] as string, root), example(name).code));
      writeFileSync(new URL(config, root), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: [...files, 'packages'] }));
      const result = await promisify(execFile)('npx', ['tsc', '-p', config], { cwd: root }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
      expect(result.stdout).toBe('');
    } finally {
      for (const file of [...files, config]) rmSync(new URL(file, root), { force: true });
    }
  });

  it('typed-client: submits, waits for the end, prints it', async () => {
    const printed = await runTs('typed-client');
    // No network here: example.com does not resolve, so the job fails after its attempts.
    expect(printed).toHaveLength(1);
    expect(printed[0]?.[0]).toMatch(/^(COMPLETED|FAILED)$/);
  });

  it('graphql-ws: follows jobEvents until a job ends', async () => {
    const running = runTs('graphql-ws');
    // It listens for live events: give it a job to watch until it has seen one end.
    let settled = false;
    void running.finally(() => (settled = true));
    for (let i = 0; i < 20 && !settled; i++) {
      await post('mutation { submitJob(input: { type: "http.request", payload: { url: "https://example.com/", method: "GET" }, maxAttempts: 1 }) { job { id } } }');
      await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
    }
    const printed = await running;
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.at(-1)?.[1]).toMatch(/^(COMPLETED|FAILED)$/);
  });

  it('worker: runs its own handler in a worker of its own, and stops', async () => {
    const printed = await runTs('worker');
    expect(printed).toEqual([['COMPLETED', { url: 'https://example.com/a.png', width: 200, height: 150 }]]);
  });

  it('job-token: a frontend watches its own job with a job token', async () => {
    const printed = await runTs('job-token');
    expect(printed).toHaveLength(1);
    const [status, result, until] = printed[0] as [string, unknown, string];
    expect(status).toBe('COMPLETED');
    expect(result).toEqual({ report: 'monthly' });
    expect(until).toMatch(/^token valid until \d{4}-/);
  });
});
