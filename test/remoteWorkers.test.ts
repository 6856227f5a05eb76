// Bring your own code: a team's project outside this repository (packed tarballs, zod,
// tsc --strict) runs its handlers with createWorker in its own processes, connected to
// the service started as its own process: ROLE=all, then ROLE=api holding none of the
// team's code. Each promise is tested from outside: a second worker, a killed one, a
// second tenant.
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './helpers/db.js';
import { REDIS_URL, waitFor } from './helpers/app.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';
import { makeWorkerProject, startWorker, type WorkerProcess, type WorkerProject } from './helpers/workerProject.js';

const KEYS = {
  ops: 'ops-secret-0123456789abcdef',
  fleet: 'fleet-secret-0123456789abcdef',
  acmeApp: 'acme-app-secret-0123456789ab',
  acmeWorker: 'acme-worker-secret-0123456789',
  globexApp: 'globex-app-secret-0123456789',
  reader: 'reader-secret-0123456789abcdef',
} as const;
const API_KEYS = [
  `ops:${KEYS.ops}:admin`,
  `fleet:${KEYS.fleet}:jobs:work`,
  `acme-app:${KEYS.acmeApp}:jobs:read,jobs:write:acme`,
  `acme-worker:${KEYS.acmeWorker}:jobs:work:acme`,
  `globex-app:${KEYS.globexApp}:jobs:read,jobs:write:globex`,
  `reader:${KEYS.reader}:jobs:read,jobs:write`,
].join(';');

let project: WorkerProject;
const databases: string[] = [];
const services: ServiceProcess[] = [];
const workers: WorkerProcess[] = [];

beforeAll(() => {
  project = makeWorkerProject();
}, 120_000);
afterAll(async () => {
  for (const worker of workers) worker.kill();
  for (const service of services) await service.stop();
  for (const database of databases) await dropTestDatabase(database);
  project?.remove();
});

async function startService(env: Record<string, string>, args?: string[]): Promise<ServiceProcess> {
  const database = await createTestDatabase();
  databases.push(database);
  const service = await startServiceProcess({
    DATABASE_URL: databaseUrl(database),
    REDIS_URL,
    QUEUE_PREFIX: `jgremote-${database}`,
    API_KEYS,
    WORKER_HEARTBEAT_MS: '500',
    ...env,
  }, 60_000, args);
  services.push(service);
  return service;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever it asked for
type Data = Record<string, any>;

function client(service: ServiceProcess, key: string) {
  return async (query: string, variables: Record<string, unknown> = {}): Promise<{ data?: Data; errors?: { message: string; extensions?: Data }[] }> => {
    const response = await fetch(`http://127.0.0.1:${service.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Data; errors?: { message: string }[] };
  };
}

const SUBMIT = `mutation($input: SubmitJobInput!) { submitJob(input: $input) { job { id status } userErrors { code field message } } }`;
const JOB = `query($id: ID!) { job(id: $id) { id status attempts result lastError progress waitingFor
  lastAttemptError { name message stack cause { name message cause { name message cause { name message } } } }
  events { nodes { type attempt error { name message cause { name } } } }
  logs { nodes { level message data } } } }`;

function worker(service: ServiceProcess, key: string, name: string): Promise<WorkerProcess> {
  return startWorker(project, { JOBGRAPH_URL: `http://127.0.0.1:${service.port}/graphql`, JOBGRAPH_KEY: key, WORKER_NAME: name }).then((started) => {
    workers.push(started);
    return started;
  });
}

it('typechecks the team\'s handlers and worker with tsc --strict against the packed package', () => {
  expect(project.typecheck()).toBe('');
  // The example project of the docs (examples/remote-worker/) too, as its Dockerfile builds it.
  const example = join(project.dir, 'example');
  cpSync(new URL('../examples/remote-worker/src', import.meta.url), join(example, 'src'), { recursive: true });
  cpSync(new URL('../examples/remote-worker/tsconfig.json', import.meta.url), join(example, 'tsconfig.json'));
  const run = spawnSync('npx', ['tsc', '-p', 'example', '--noEmit'], { cwd: project.dir, encoding: 'utf8' });
  expect(run.stdout + run.stderr).toBe('');
});

describe('ROLE=all', () => {
  let service: ServiceProcess;
  let ops: ReturnType<typeof client>;
  let fleet: WorkerProcess;
  const until = async (id: string, done: (job: Data) => boolean, timeoutMs = 15_000): Promise<Data> =>
    waitFor(
      async () => {
        const { data } = await ops(JOB, { id });
        return data?.job && done(data.job) ? (data.job as Data) : undefined;
      },
      timeoutMs,
      `job ${id}`,
    );
  const submit = async (as: ReturnType<typeof client>, input: Data): Promise<string> => {
    const { data, errors } = await as(SUBMIT, { input });
    expect(errors, JSON.stringify(errors)).toBeUndefined();
    expect(data!.submitJob.userErrors).toEqual([]);
    return data!.submitJob.job.id as string;
  };

  beforeAll(async () => {
    service = await startService({});
    ops = client(service, KEYS.ops);
    fleet = await worker(service, KEYS.fleet, 'fleet-1');
  }, 60_000);

  it('runs a job of the team\'s type in its worker: result, progress and logs kept, listed as a remote worker', async () => {
    const id = await submit(ops, { type: 'media.thumbnail', payload: { url: 'https://example.com/a.png', width: 200 } });
    const job = await until(id, (job) => job.status === 'COMPLETED');
    expect(job).toMatchObject({ attempts: 1, progress: 100, result: { url: 'https://example.com/a.png', width: 200, height: 150, by: 'fleet-1', attempt: 1 } });
    expect(job.logs.nodes).toEqual([
      { level: 'INFO', message: 'fetching the image', data: { url: 'https://example.com/a.png' } },
      { level: 'WARN', message: 'image was large', data: { bytes: 123_456 } },
    ]);
    expect(job.events.nodes.map((event: Data) => event.type)).toEqual(expect.arrayContaining(['CREATED', 'STARTED', 'PROGRESS', 'COMPLETED']));

    const { data } = await ops(`{ workers { kind hostname types queues concurrency } jobTypes { name remote available payloadSchema } }`);
    expect(data!.workers).toContainEqual({ kind: 'REMOTE', hostname: 'fleet-1', types: ['media.thumbnail', 'media.permanent', 'media.flaky', 'media.slow'], queues: ['default'], concurrency: 4 });
    expect(data!.workers).toContainEqual(expect.objectContaining({ kind: 'IN_PROCESS', types: expect.arrayContaining(['echo', 'http.request']) }));
    // Its heartbeats carry its process's memory, which the workers list shows.
    const memory = await waitFor(async () => {
      const listed = (await ops('{ workers { kind hostname memoryBytes } }')).data!.workers.find((worker: Data) => worker.hostname === 'fleet-1');
      return listed?.memoryBytes > 0 ? (listed.memoryBytes as number) : undefined;
    }, 10_000, "the remote worker's memory");
    expect(memory).toBeGreaterThan(10 * 2 ** 20);
    const thumbnail = data!.jobTypes.find((type: Data) => type.name === 'media.thumbnail');
    expect(thumbnail).toMatchObject({ remote: true, available: true, payloadSchema: { type: 'object', required: ['url', 'width'] } });
  });

  it('refuses a payload invalid for the registered schema, naming the field', async () => {
    const { data } = await ops(SUBMIT, { input: { type: 'media.thumbnail', payload: { url: 'https://example.com/a.png', width: 'wide' } } });
    expect(data!.submitJob.job).toBeNull();
    expect(data!.submitJob.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'payload', 'width'] })]);
  });

  it('fails a PermanentError at once, and keeps the error in full: class, message, stack, causes', async () => {
    const id = await submit(ops, { type: 'media.permanent', payload: { account: 'a-17' }, maxAttempts: 5 });
    const job = await until(id, (job) => job.status === 'FAILED');
    expect(job.attempts).toBe(1);
    expect(job.lastError).toBe('no account a-17');
    expect(job.lastAttemptError).toMatchObject({ name: 'PermanentError', message: 'no account a-17', cause: { name: 'Error', message: '404 from the accounts service' } });
    expect(job.lastAttemptError.stack).toMatch(/PermanentError: no account a-17\n\s+at /);

    const flaky = await submit(ops, { type: 'media.flaky', payload: {}, maxAttempts: 2, backoff: { type: 'FIXED', delayMs: 10 } });
    const failed = await until(flaky, (job) => job.status === 'FAILED');
    expect(failed.attempts).toBe(2);
    expect(failed.lastAttemptError).toMatchObject({
      name: 'UpstreamError',
      cause: { name: 'TypeError', message: 'fetch failed', cause: { name: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' } },
    });
    const retry = failed.events.nodes.find((event: Data) => event.type === 'RETRY_SCHEDULED');
    expect(retry.error).toEqual({ name: 'UpstreamError', message: 'the storage service did not answer', cause: { name: 'TypeError' } });
  });

  it('fires the handler\'s signal when a client cancels', async () => {
    const id = await submit(ops, { type: 'media.slow', payload: { ms: 30_000 } });
    await until(id, (job) => job.status === 'RUNNING');
    await waitFor(async () => (fleet.lines.some((line) => line.startsWith(`running ${id}`)) ? true : undefined), 5000, 'the worker runs it');
    const { data } = await ops(`mutation($id: ID!) { cancelJob(id: $id) { job { status } userErrors { code } } }`, { id });
    expect(data!.cancelJob).toEqual({ job: { status: 'CANCELLED' }, userErrors: [] });
    await waitFor(async () => (fleet.lines.some((line) => line.startsWith(`signal ${id}`)) ? true : undefined), 3000, 'the signal fired');
  });

  it('runs a job again on a second worker when the first is SIGKILLed mid-job: COMPLETED once', async () => {
    const second = await worker(service, KEYS.fleet, 'fleet-2');
    const id = await submit(ops, { type: 'media.slow', payload: { ms: 2000 } });
    const holder = await waitFor(async () => [fleet, second].find((candidate) => candidate.lines.some((line) => line.startsWith(`running ${id}`))), 10_000, 'a worker runs it');
    const other = holder === fleet ? second : fleet;
    holder.kill();
    const job = await until(id, (job) => job.status === 'COMPLETED', 20_000);
    expect(job.result.by).toBe(other === fleet ? 'fleet-1' : 'fleet-2');
    expect(job.attempts).toBe(2);
    expect(job.events.nodes.filter((event: Data) => event.type === 'COMPLETED')).toHaveLength(1);
    if (holder === fleet) fleet = second;
  });

  it('runs a tenant\'s jobs on its own workers only, and other tenants\' on the operators\'', async () => {
    const acmeWorker = await worker(service, KEYS.acmeWorker, 'acme-1');
    const acme = client(service, KEYS.acmeApp);
    const globex = client(service, KEYS.globexApp);
    const acmeJobs = await Promise.all([1, 2, 3].map(() => submit(acme, { type: 'media.slow', payload: { ms: 50 } })));
    const globexJobs = await Promise.all([1, 2, 3].map(() => submit(globex, { type: 'media.slow', payload: { ms: 50 } })));
    for (const id of acmeJobs) expect((await until(id, (job) => job.status === 'COMPLETED')).result.by).toBe('acme-1');
    for (const id of globexJobs) expect((await until(id, (job) => job.status === 'COMPLETED')).result.by).toMatch(/^fleet-/);
    expect(acmeWorker.lines.filter((line) => globexJobs.some((id) => line.includes(id)))).toEqual([]);

    // A tenant sees its own types (and the operators'), never another tenant's registration.
    const { data } = await globex(`{ jobTypes { name tenant } }`);
    expect(data!.jobTypes.filter((type: Data) => type.tenant === 'acme')).toEqual([]);
    // Its worker takes no operator work: a credential without jobs:work cannot connect at all.
    const refused = await startWorker(project, { JOBGRAPH_URL: `http://127.0.0.1:${service.port}/graphql`, JOBGRAPH_KEY: KEYS.reader, WORKER_NAME: 'reader' }, 5000).catch((error: Error) => error);
    expect(String(refused)).toMatch(/jobs:work/);
  });

  it('hands back what a stopping worker holds: the job runs elsewhere, the attempt not counted', async () => {
    const spare = await worker(service, KEYS.fleet, 'fleet-3');
    const id = await submit(ops, { type: 'media.slow', payload: { ms: 20_000 } });
    const holder = await waitFor(async () => workers.find((candidate) => candidate.child.exitCode === null && candidate.child.signalCode === null && candidate.lines.some((line) => line.startsWith(`running ${id}`))), 10_000, 'a worker runs it');
    // stop({ graceMs: 5000 }): the job outlasts the grace, so it is handed back.
    expect(await holder.stop()).toBe(0);
    const job = await until(id, (job) => job.status === 'RUNNING' && job.events.nodes.filter((event: Data) => event.type === 'STARTED').length === 2, 15_000);
    expect(job.attempts).toBe(1);
    void spare;
  });
});

describe('ROLE=api with remote workers only', () => {
  it('runs every job of the remote types with no handler code in the service; the others say why they wait', async () => {
    const service = await startService({ ROLE: 'api' });
    const ops = client(service, KEYS.ops);
    const started = await worker(service, KEYS.fleet, 'api-only-1');
    const { data } = await ops(SUBMIT, { input: { type: 'media.thumbnail', payload: { url: 'https://example.com/b.png', width: 64 } } });
    const id = data!.submitJob.job.id as string;
    const done = await waitFor(async () => ((await ops(JOB, { id })).data?.job?.status === 'COMPLETED' ? true : undefined), 15_000, 'completed');
    expect(done).toBe(true);

    // No worker process runs the built-in types here: the job says so rather than waiting in silence.
    const echo = (await ops(SUBMIT, { input: { type: 'echo', payload: 1 } })).data!.submitJob.job.id as string;
    expect((await ops(JOB, { id: echo })).data!.job.waitingFor).toMatch(/no worker alive runs "echo"/);
    // The registered schema outlives the worker: submits are still checked, and the job waits for one.
    expect(await started.stop()).toBe(0);
    const invalid = await ops(SUBMIT, { input: { type: 'media.thumbnail', payload: { url: 'nope', width: 1 } } });
    expect(invalid.data!.submitJob.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'payload', 'url'] })]);
    const waiting = (await ops(SUBMIT, { input: { type: 'media.thumbnail', payload: { url: 'https://example.com/c.png', width: 8 } } })).data!.submitJob.job.id as string;
    expect((await ops(JOB, { id: waiting })).data!.job.waitingFor).toMatch(/no worker alive runs "media.thumbnail"/);
    const types = (await ops(`{ jobTypes { name available } }`)).data!.jobTypes as Data[];
    expect(types.find((type) => type.name === 'media.thumbnail')).toEqual({ name: 'media.thumbnail', available: false });
    expect(types.find((type) => type.name === 'echo')).toEqual({ name: 'echo', available: false });
  });
});

describe('the same handler module in the service (HANDLERS_DIR)', () => {
  it('runs in the compiled service (node dist/src/index.js), .ts included, PermanentError recognised across copies', { timeout: 120_000 }, async () => {
    // As the image builds it: the packages first, then the service against their declarations.
    const build = spawnSync('npm', ['run', 'build', '--', '--outDir', 'tmp/sdk-build'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const service = await startService({ HANDLERS_DIR: join(project.dir, 'handlers'), NODE_ENV: 'production' }, ['tmp/sdk-build/src/index.js']);
    expect(service.output.join('\n')).toMatch(/job types loaded from HANDLERS_DIR/);
    const ops = client(service, KEYS.ops);
    const submitted = await ops(SUBMIT, { input: { type: 'media.thumbnail', payload: { url: 'https://example.com/d.png', width: 40 } } });
    const id = submitted.data!.submitJob.job.id as string;
    const job = await waitFor(async () => ((await ops(JOB, { id })).data?.job?.status === 'COMPLETED' ? (await ops(JOB, { id })).data!.job : undefined), 15_000, 'completed');
    expect(job.result).toEqual({ url: 'https://example.com/d.png', width: 40, height: 30, by: 'service', attempt: 1 });
    expect(job.logs.nodes.map((line: Data) => line.message)).toEqual(['fetching the image', 'image was large']);
    const permanent = (await ops(SUBMIT, { input: { type: 'media.permanent', payload: { account: 'x' }, maxAttempts: 4 } })).data!.submitJob.job.id as string;
    const failed = await waitFor(async () => {
      const found = (await ops(JOB, { id: permanent })).data?.job;
      return found?.status === 'FAILED' ? found : undefined;
    }, 15_000, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastAttemptError).toMatchObject({ name: 'PermanentError', cause: { message: '404 from the accounts service' } });
    const types = (await ops(`{ jobTypes { name remote available } }`)).data!.jobTypes as Data[];
    expect(types.find((type) => type.name === 'media.thumbnail')).toEqual({ name: 'media.thumbnail', remote: false, available: true });
  });
});
