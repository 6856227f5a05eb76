// The worker protocol as docs/workers.md gives it, spoken by a plain graphql-ws client (as
// a worker in another language would): leases lost by silence, fenced late outcomes,
// what a registration may hold, and who may work at all.
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';

const OPS = 'ops-secret-0123456789abcdef';
const FLEET = 'fleet-secret-0123456789abcdef';
const ACME = 'acme-work-secret-0123456789';
const READER = 'reader-secret-0123456789abcdef';

let app: TestApp;
const clients: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({
    API_KEYS: `ops:${OPS}:admin;fleet:${FLEET}:jobs:work;acme:${ACME}:jobs:work:acme;reader:${READER}:jobs:read,jobs:write`,
    WORKER_HEARTBEAT_MS: '200',
    MAX_REMOTE_QUEUES: '3',
  });
});
// Each test's workers go away with it (their leases with them).
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
});
afterAll(async () => {
  await app?.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever it asked for
type Data = Record<string, any>;

function connect(key: string): Client {
  const client = createClient({ url: app.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

async function request(client: Client, query: string, variables: Record<string, unknown>): Promise<{ data?: Data; errors?: readonly { message: string; extensions?: Data }[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: Data; errors?: readonly { message: string }[] } = {};
    client.subscribe({ query, variables }, { next: (value) => (result = value as typeof result), error: reject, complete: () => resolve(result) });
  });
}

const WORK = 'subscription($worker: WorkerRegistration!) { work(worker: $worker) { kind workerId heartbeatMs lease reason job { id type attempt payload } } }';
const TYPE = { name: 'proto.add', description: 'Adds.', payloadSchema: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'], additionalProperties: false } };

/** A worker's stream: messages as they come, and the end (an error or completion). Unless `silent`, it beats as told. */
function work(client: Client, worker: Data, { silent = false } = {}) {
  const messages: Data[] = [];
  let ended: unknown;
  client.subscribe(
    { query: WORK, variables: { worker } },
    {
      next: (value) => {
        if (value.errors) ended = value.errors;
        else {
          const message = (value.data as Data).work as Data;
          messages.push(message);
          if (message.kind === 'REGISTERED' && !silent) {
            const beat = setInterval(() => {
              if (ended) clearInterval(beat);
              else void request(client, 'mutation($id: String!) { workerHeartbeat(workerId: $id) }', { id: message.workerId }).catch(() => clearInterval(beat));
            }, message.heartbeatMs / 2);
            beat.unref();
          }
        }
      },
      error: (error) => (ended = error ?? 'error'),
      complete: () => (ended ??= 'complete'),
    },
  );
  return {
    messages,
    get ended() {
      return ended;
    },
    next: (kind: string, after = 0) => waitFor(async () => messages.slice(after).find((message) => message.kind === kind), 5000, `a ${kind} message`),
  };
}

const ops = (query: string, variables: Record<string, unknown> = {}) =>
  fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${OPS}` }, body: JSON.stringify({ query, variables }) }).then(
    (response) => response.json() as Promise<{ data?: Data; errors?: { message: string; extensions?: Data }[] }>,
  );

it('loses the lease of a silent worker; its job runs on another; the late outcome is refused and changes nothing', async () => {
  const silent = connect(FLEET);
  const stream = work(silent, { name: 'silent', types: [TYPE], concurrency: 1 }, { silent: true });
  const registered = await stream.next('REGISTERED');
  expect(registered).toMatchObject({ workerId: expect.stringMatching(/^remote:/), heartbeatMs: 200 });

  const submitted = await ops('mutation { submitJob(input: { type: "proto.add", payload: { a: 2, b: 3 } }) { job { id } userErrors { message } } }');
  const id = submitted.data!.submitJob.job.id as string;
  const first = await stream.next('JOB');
  expect(first.job).toEqual({ id, type: 'proto.add', attempt: 1, payload: { a: 2, b: 3 } });

  // No heartbeat: after three beats the stream ends and the lease is lost.
  await waitFor(async () => (stream.ended ? true : undefined), 3000, 'the silent worker dropped');
  expect(stream.ended).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Worker lost: no heartbeat for 600 ms/), extensions: { code: 'WORKER_LOST' } })]);

  const alive = connect(FLEET);
  const second = work(alive, { name: 'alive', types: [TYPE], concurrency: 1 });
  await second.next('REGISTERED');
  {
    const again = await second.next('JOB');
    expect(again.job).toMatchObject({ id, attempt: 2 });
    // The first worker wakes up and answers for its lost lease: refused, nothing changes.
    const late = await request(silent, 'mutation($lease: String!) { completeJob(lease: $lease, result: 99) { status userErrors { code field } } }', { lease: first.lease });
    expect(late.data!.completeJob).toEqual({ status: null, userErrors: [{ code: 'NOT_FOUND', field: ['lease'] }] });
    const done = await request(alive, 'mutation($lease: String!) { completeJob(lease: $lease, result: 5) { status userErrors { code } } }', { lease: again.lease });
    expect(done.data!.completeJob).toEqual({ status: 'COMPLETED', userErrors: [] });
    // Answering twice is refused too.
    const twice = await request(alive, 'mutation($lease: String!) { failJob(lease: $lease, error: { name: "X", message: "late" }) { status userErrors { code } } }', { lease: again.lease });
    expect(twice.data!.failJob.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  }
  const job = await ops('query($id: ID!) { job(id: $id) { status result attempts events { nodes { type } } } }', { id });
  expect(job.data!.job).toMatchObject({ status: 'COMPLETED', result: 5, attempts: 2 });
  expect(job.data!.job.events.nodes.filter((event: Data) => event.type === 'COMPLETED')).toHaveLength(1);
});

it('keeps a failed attempt\'s error from the wire, bounded, and fails it for good when asked', async () => {
  const client = connect(FLEET);
  const stream = work(client, { name: 'failing', types: [TYPE], concurrency: 1 });
  await stream.next('REGISTERED');
  const submitted = await ops('mutation { submitJob(input: { type: "proto.add", payload: { a: 1, b: 1 }, maxAttempts: 3 }) { job { id } } }');
  const id = submitted.data!.submitJob.job.id as string;
  const { lease } = await stream.next('JOB');
  let error: Data = { name: 'Deepest', message: 'x'.repeat(10_000) };
  for (let depth = 0; depth < 8; depth++) error = { name: `Level${depth}`, message: `level ${depth}`, stack: `Level${depth}: level ${depth}\n    at somewhere`, cause: error };
  const failed = await request(client, 'mutation($lease: String!, $error: AttemptErrorInput!) { failJob(lease: $lease, error: $error, permanent: true) { status userErrors { code } } }', { lease, error });
  expect(failed.data!.failJob).toEqual({ status: 'FAILED', userErrors: [] });
  const job = (await ops('query($id: ID!) { job(id: $id) { attempts lastError lastAttemptError { name stack cause { name cause { name cause { name cause { name cause { name } } } } } } } }', { id })).data!.job;
  expect(job.attempts).toBe(1);
  expect(job.lastError).toBe('level 7');
  // Five errors kept: the top and four causes.
  expect(job.lastAttemptError).toEqual({ name: 'Level7', stack: 'Level7: level 7\n    at somewhere', cause: { name: 'Level6', cause: { name: 'Level5', cause: { name: 'Level4', cause: { name: 'Level3', cause: null } } } } });
});

it('sends CANCEL when a client cancels a leased job', async () => {
  const client = connect(FLEET);
  const stream = work(client, { name: 'cancellable', types: [TYPE], concurrency: 1 });
  await stream.next('REGISTERED');
  const id = (await ops('mutation { submitJob(input: { type: "proto.add", payload: { a: 0, b: 0 } }) { job { id } } }')).data!.submitJob.job.id as string;
  const { lease } = await stream.next('JOB');
  await ops('mutation($id: ID!) { cancelJob(id: $id) { job { status } } }', { id });
  const cancel = await stream.next('CANCEL');
  expect(cancel).toMatchObject({ lease, reason: 'cancelled by a client' });
  const late = await request(client, 'mutation($lease: String!) { completeJob(lease: $lease, result: 0) { status userErrors { code } } }', { lease });
  expect(late.data!.completeJob.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  expect((await ops('query($id: ID!) { job(id: $id) { status } }', { id })).data!.job.status).toBe('CANCELLED');
});

it('holds a paused queue\'s jobs from remote workers too, until it is resumed', async () => {
  const client = connect(FLEET);
  const stream = work(client, { name: 'paused', types: [TYPE], concurrency: 1 });
  await stream.next('REGISTERED');
  await ops('mutation { pauseQueue(name: "default") { userErrors { code } } }');
  try {
    const id = (await ops('mutation { submitJob(input: { type: "proto.add", payload: { a: 4, b: 4 } }) { job { id } } }')).data!.submitJob.job.id as string;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(stream.messages.filter((message) => message.kind === 'JOB')).toEqual([]);
    expect((await ops('query($id: ID!) { job(id: $id) { status waitingFor } }', { id })).data!.job).toEqual({ status: 'PENDING', waitingFor: 'its queue "default" to be resumed (it is paused)' });
    await ops('mutation { resumeQueue(name: "default") { userErrors { code } } }');
    const { job } = await stream.next('JOB');
    expect(job.id).toBe(id);
  } finally {
    await ops('mutation { resumeQueue(name: "default") { userErrors { code } } }');
  }
});

it('refuses what a worker may not register, naming the field or limit, and registers nothing', async () => {
  const client = connect(FLEET);
  // One queue taken already (proto.add, default), of MAX_REMOTE_QUEUES 3.
  await work(client, { name: 'serving', types: [TYPE], concurrency: 1 }).next('REGISTERED');
  const refusal = async (worker: Data): Promise<string> => {
    const stream = work(client, worker);
    await waitFor(async () => (stream.ended ? true : undefined), 5000, 'a refusal');
    return JSON.stringify(stream.ended);
  };
  expect(await refusal({ name: 'w', types: [{ ...TYPE, name: 'echo' }], concurrency: 1 })).toMatch(/types\.0\.name: \\"echo\\" is a type the service runs itself/);
  expect(await refusal({ name: 'w', types: [{ ...TYPE, name: 'proto.regex', payloadSchema: { type: 'string', pattern: '^(a+)+$' } }], concurrency: 1 })).toMatch(/exponential time/);
  expect(await refusal({ name: 'w', types: [{ ...TYPE, name: 'proto.bad', payloadSchema: { type: 'nonsense' } }], concurrency: 1 })).toMatch(/not a JSON Schema/);
  expect(await refusal({ name: 'w', types: [TYPE], concurrency: 0 })).toMatch(/worker\.concurrency: 1 to 1000/);
  expect(await refusal({ name: 'w', types: [TYPE], concurrency: 1, queues: ['nope'] })).toMatch(/worker\.queues: no queue/);
  expect(await refusal({ name: 'w', types: Array.from({ length: 101 }, (_, index) => ({ ...TYPE, name: `proto.t${index}` })), concurrency: 1 })).toMatch(/types: 1 to 100, got 101/);
  // MAX_REMOTE_QUEUES is 3 here: proto.add (1) + three more types would pass it.
  expect(await refusal({ name: 'w', types: ['a', 'b', 'c'].map((name) => ({ ...TYPE, name: `proto.${name}` })), concurrency: 1 })).toMatch(/MAX_REMOTE_QUEUES \(3\)/);
  const types = (await ops('{ jobTypes { name } }')).data!.jobTypes.map((type: Data) => type.name);
  expect(types.filter((name: string) => name.startsWith('proto.') && name !== 'proto.add')).toEqual([]);
});

it('lets only jobs:work credentials work, and a tenant\'s only for its own jobs', async () => {
  const reader = connect(READER);
  const stream = work(reader, { name: 'r', types: [TYPE], concurrency: 1 });
  await waitFor(async () => (stream.ended ? true : undefined), 5000, 'a refusal');
  expect(JSON.stringify(stream.ended)).toMatch(/lacks the jobs:work scope/);
  // A worker credential cannot read or submit jobs.
  const fleet = connect(FLEET);
  const asked = await request(fleet, '{ jobs(first: 1) { nodes { id } } }', {}).catch((error: unknown) => ({ errors: error as { message: string }[] }));
  expect(JSON.stringify(asked.errors)).toMatch(/lacks the jobs:read or jobs:read:own scope/);
  // A lease id from another scope is not found, as a missing one.
  const acme = connect(ACME);
  const refused = await request(acme, 'mutation { completeJob(lease: "00000000-0000-0000-0000-000000000000", result: 1) { userErrors { code } } }', {});
  expect(refused.data!.completeJob.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  expect((await request(acme, 'mutation { workerHeartbeat(workerId: "remote:nope") }', {})).data!.workerHeartbeat).toBe(false);
});
