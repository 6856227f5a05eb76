// The lines an operator looks for in the service's log: an attempt that failed (and
// when it runs again), a job that failed for good, what shutdown waits for, and the
// jobs it hands back.
import { spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { createSharedBackend, waitFor, type SharedBackend } from './helpers/app.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

let backend: SharedBackend | undefined;
let service: ServiceProcess | undefined;
afterAll(async () => {
  if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  await backend?.drop();
});

async function post(query: string): Promise<{ data: Record<string, { job: { id: string } }> }> {
  const response = await fetch(`http://127.0.0.1:${service!.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as never;
}

const lines = () => service!.output.map((line) => JSON.parse(line) as { msg?: string; level?: number }).filter((entry) => entry.msg);

it('says when an attempt fails, when a job fails for good, what shutdown waits for and what it hands back', { timeout: 60_000 }, async () => {
  backend = await createSharedBackend();
  service = await startServiceProcess({ ...backend.env, SHUTDOWN_GRACE_MS: '800', DEFAULT_BACKOFF_DELAY_MS: '50', DEFAULT_BACKOFF_JITTER: 'NONE' });
  // Each attempt outlives its timeout: two attempts, then the job fails.
  await post('mutation { submitJob(input: { type: "sleep", payload: { ms: 5000 }, timeoutMs: 100, maxAttempts: 2 }) { job { id } } }');
  await waitFor(async () => (lines().some((entry) => entry.msg?.startsWith('job failed')) ? true : undefined), 20_000, 'the failure to be logged');
  expect(lines().map((entry) => entry.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^attempt 1 of 2 failed; retrying in \d+ ms$/), 'job failed: all 2 attempts failed']));

  await post('mutation { submitJob(input: { type: "sleep", payload: { ms: 30000 } }) { job { id } } }');
  await waitFor(async () => ((await post('{ jobStats { running } }')).data.jobStats as unknown as { running: number }).running === 1 ? true : undefined, 10_000, 'RUNNING');
  expect(await service.stop()).toBe(0);
  const said = lines().map((entry) => entry.msg ?? '');
  expect(said).toEqual(expect.arrayContaining([
    expect.stringMatching(/^shutting down: taking no new jobs; waiting up to 800 ms for 1 running$/),
    expect.stringMatching(/^shutdown grace \(SHUTDOWN_GRACE_MS\) over: handing back 1 running jobs/),
    expect.stringMatching(/^job handed back/),
  ]));
  // Each lifecycle line once: the worker thread says its own.
  expect(said.filter((message) => message === 'jobgraph stopped')).toHaveLength(1);
  expect(said.filter((message) => message === 'workers stopped')).toHaveLength(1);
});

it('writes pretty lines on a terminal, from both threads (pino-pretty), and JSON lines otherwise', { timeout: 60_000 }, async () => {
  const own = await createSharedBackend();
  // `script` gives the process a terminal (a pty); its output comes back on this pipe.
  const child = spawn('script', ['-qfec', `${process.execPath} --conditions=source --import tsx src/index.ts`, '/dev/null'], {
    env: { ...process.env, ...own.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(async () => (output.includes('jobgraph listening') ? true : undefined), 40_000, 'the service to listen');
    const shown = stripVTControlCharacters(output).split(/\r?\n/).filter(Boolean);
    // The worker thread's lines (it migrates and starts the workers) and the main thread's, both pretty: none is JSON.
    expect(shown.some((line) => line.includes('INFO') && line.includes('jobgraph workers running'))).toBe(true);
    expect(shown.some((line) => line.includes('INFO') && line.includes('jobgraph listening'))).toBe(true);
    expect(shown.filter((line) => line.startsWith('{'))).toEqual([]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await own.drop();
  }
  // Not on a terminal (every other test's service): JSON lines, which startServiceProcess parses.
});
