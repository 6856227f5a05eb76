// Hostile jobs, against the service running as its own process: jobs that try to reach
// the service's own network, images that explode, keys that reach for others' jobs, and
// work that walks around the limits. Findings 3, 4, 8 and 9 of issue 9.
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedBackend, type SharedBackend } from './helpers/app.js';
import { eventually, graphql, memoryMb } from './helpers/hostile.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

const KEYS = { root: 'root-0123456789abcdef', one: 'one-0123456789abcdef', two: 'two-0123456789abcdef', burst: 'burst-0123456789abcdef' };
const RATE = 300;

let backend: SharedBackend;
let service: ServiceProcess;
let url: string;
let outputDir: string;
let target: Server;
let targetPort: number;
const hits = new Map<string, number>();
let bigBytesSent = 0;

beforeAll(async () => {
  target = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/metrics` });
      res.end();
    } else if (req.url === '/big') {
      // 450 MB if the client reads it all; it should stop after about 1 MB.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (bigBytesSent < 450 * 1024 * 1024 && !res.destroyed) {
          bigBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    } else {
      res.end('internal metrics: secret');
    }
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as AddressInfo).port;
  backend = await createSharedBackend();
  outputDir = mkdtempSync(join(tmpdir(), 'jobgraph-output-'));
  service = await startServiceProcess({
    ...backend.env,
    API_KEYS: `root:${KEYS.root}:admin;one:${KEYS.one}:jobs:write;two:${KEYS.two}:jobs:write;burst:${KEYS.burst}:jobs:write`,
    // Only by this name: its address (loopback) stays refused under any other name or after a redirect.
    HTTP_ALLOW_HOSTS: 'localhost',
    RATE_LIMIT_JOBS_PER_MINUTE: String(RATE),
    MAX_SCHEDULES: '3',
    OUTPUT_DIR: outputDir,
    OUTPUT_MAX_BYTES: '200000',
    OUTPUT_RETENTION_MS: '3000',
    IMAGE_CONCURRENCY: '1',
    WORKER_CONCURRENCY: '10',
  });
  url = `http://127.0.0.1:${service.port}/graphql`;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await backend?.drop();
  target?.close();
  target?.closeAllConnections();
  if (outputDir) rmSync(outputDir, { recursive: true, force: true });
});

const SUBMIT = 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id } userErrors { code field message } } }';
const JOB = 'query ($id: ID!) { job(id: $id) { status attempts lastError result } }';

async function submit(input: unknown, key = KEYS.root) {
  return (await graphql(url, key, SUBMIT, { input })).body.data?.submitJob as { job: { id: string } | null; userErrors: { code: string; field: string[]; message: string }[] };
}

async function finished(id: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const job = (await graphql(url, KEYS.root, JOB, { id })).body.data?.job as { status: string; attempts: number; lastError: string | null; result: Record<string, unknown> | null };
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
  }, timeoutMs, `job ${id} to finish`);
}

const memory = () => memoryMb(service.child.pid as number);
/** Far enough ahead that the jobs wait (runAt may be at most 366 days ahead). */
const LATER = new Date(Date.now() + 300 * 86_400_000).toISOString();

describe('finding 3: jobs reach no private address unless allowed', () => {
  it('refuses loopback, link-local and metadata URLs at submit, naming the field', async () => {
    for (const address of [`http://127.0.0.1:${targetPort}/metrics`, 'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/', `http://[::1]:${targetPort}/`, `http://0x7f000001:${targetPort}/`, `http://[::7f00:1]:${targetPort}/`, 'http://10.0.0.1/']) {
      const { job, userErrors } = await submit({ type: 'http.request', payload: { url: address, method: 'GET' } });
      expect(job, address).toBeNull();
      expect(userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'payload', 'url'] });
      expect(userErrors[0]?.message).toMatch(/refused: .*(loopback|linkLocal|private|metadata|global unicast).*HTTP_ALLOW_HOSTS/);
    }
    expect(hits.get('/metrics') ?? 0).toBe(0);
  });

  it('checks the resolved address of a host name and of every redirect, failing for good', { timeout: 30_000 }, async () => {
    const name = hostname();
    const resolved = await lookup(name).then((result) => result.address, () => null);
    const cases = [`http://localhost:${targetPort}/redirect`];
    // This machine's own name resolves to loopback here (/etc/hosts); it must be refused after the lookup.
    if (resolved?.startsWith('127.')) cases.push(`http://${name}:${targetPort}/metrics`);
    for (const address of cases) {
      const { job } = await submit({ type: 'http.request', payload: { url: address, method: 'GET' }, maxAttempts: 3 });
      const done = await finished(job!.id);
      expect(done.status, address).toBe('FAILED');
      expect(done.attempts).toBe(1);
      expect(done.lastError).toMatch(/refused: 127\.0\.0\.1 is a loopback address; HTTP_ALLOW_HOSTS can allow it/);
    }
    expect(hits.get('/redirect')).toBe(1);
    expect(hits.get('/metrics') ?? 0).toBe(0);
  });

  it('reads at most 1 MB of a 450 MB body while it streams', { timeout: 60_000 }, async () => {
    const before = memory();
    const { job } = await submit({ type: 'http.request', payload: { url: `http://localhost:${targetPort}/big`, method: 'GET' } });
    const done = await finished(job!.id, 40_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.result).toMatchObject({ status: 200, truncated: true });
    expect((done.result?.body as string).length).toBe(1024 * 1024);
    const image = await submit({ type: 'image.resize', payload: { source: `http://localhost:${targetPort}/big`, width: 10 } });
    const imageDone = await finished(image.job!.id, 40_000);
    expect(imageDone.status).toBe('FAILED');
    expect(imageDone.lastError).toMatch(/source larger than 26214400 bytes/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bigBytesSent).toBeLessThan(120 * 1024 * 1024);
    expect(memory().peak - before.rss).toBeLessThan(250);
  });
});

/** A PNG that declares `width` x `height` grey pixels; its pixel data is only `bytes` zeros. */
function png(width: number, height: number, bytes = height * (width + 1)): string {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const file = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(bytes))), chunk('IEND', Buffer.alloc(0))]);
  return file.toString('base64');
}

function children(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(service.child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('finding 4: image work is bounded and really stops', () => {
  it('refuses outputs past 4096 pixels a side at submit, and sources declaring too many pixels', { timeout: 30_000 }, async () => {
    const tiny = png(1, 1);
    const { userErrors } = await submit({ type: 'image.resize', payload: { source: tiny, width: 10000, height: 10000, format: 'avif' } });
    expect(userErrors.map((error) => error.field.join('.'))).toEqual(['input.payload.width', 'input.payload.height']);
    const bomb = await submit({ type: 'image.resize', payload: { source: png(30000, 30000, 1000), width: 100 } });
    const done = await finished(bomb.job!.id);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/pixel limit/i);
  });

  it('runs one resize at a time, kills it on timeout and cancel, and leaves no file behind', { timeout: 60_000 }, async () => {
    const before = memory();
    const tiny = png(1, 1);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { job } = await submit({ type: 'image.resize', payload: { source: tiny, width: 4096, height: 4096, format: 'avif' }, timeoutMs: 1500, maxAttempts: 1 });
      ids.push(job!.id);
    }
    let most = 0;
    const sampling = setInterval(() => (most = Math.max(most, children().length)), 50);
    const outcomes = await Promise.all(ids.map((id) => finished(id, 30_000)));
    clearInterval(sampling);
    expect(most).toBe(1);
    expect(outcomes.every((job) => job.status === 'FAILED' && /timed out/.test(job.lastError ?? ''))).toBe(true);

    const { job } = await submit({ type: 'image.resize', payload: { source: tiny, width: 4096, height: 4096, format: 'avif' }, timeoutMs: 60_000 });
    await eventually(() => (children().length === 1 ? true : undefined), 10_000, 'the resize to start');
    const cancelled = await graphql(url, KEYS.root, 'mutation ($id: ID!) { cancelJob(id: $id) { job { status } } }', { id: job!.id });
    expect(cancelled.body.data.cancelJob.job.status).toBe('CANCELLED');
    await eventually(() => (children().length === 0 ? true : undefined), 5_000, 'the resize process to be killed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readdirSync(outputDir).filter((file) => file.includes(job!.id) || ids.some((id) => file.includes(id)))).toEqual([]);
    expect(memory().peak - before.rss).toBeLessThan(200);
    expect(service.child.exitCode).toBeNull();
  });
});

describe('finding 8: idempotency keys belong to their submitter', () => {
  it('never hands one key\'s job to another, nor shows it to a write-only key', async () => {
    const input = (secret: string) => ({ type: 'echo', payload: { card: secret }, idempotencyKey: 'order-1', runAt: LATER });
    const first = await graphql(url, KEYS.one, 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id payload } } }', { input: input('4111') });
    const second = await graphql(url, KEYS.two, 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id payload } } }', { input: input('5500') });
    const again = await graphql(url, KEYS.two, 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id payload } } }', { input: input('5500') });
    const oneJob = first.body.data.submitJob.job;
    const twoJob = second.body.data.submitJob.job;
    expect(twoJob.id).not.toBe(oneJob.id);
    expect(twoJob.payload).toEqual({ card: '5500' });
    expect(again.body.data.submitJob.job.id).toBe(twoJob.id);
    // A write-only key may cancel another's job, but not read it through the answer.
    const cancel = await graphql(url, KEYS.two, 'mutation ($id: ID!) { cancelJob(id: $id) { job { id payload } userErrors { code } } }', { id: oneJob.id });
    expect(cancel.body.data.cancelJob.job).toBeNull();
    expect(cancel.body.data.cancelJob.userErrors).toEqual([]);
    expect(cancel.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(cancel.body)).not.toContain('4111');
  });
});

describe('finding 9: every path that makes work counts against the same limits', () => {
  const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { code } } }';
  const many = (n: number) => ({ input: Array.from({ length: n }, () => ({ type: 'echo', payload: 'x' })) });

  it('spends nothing on a refused batch, and counts retries, cancels and schedules', { timeout: 30_000 }, async () => {
    const over = await graphql(url, KEYS.burst, SUBMIT_MANY, many(RATE + 1));
    expect(over.status).toBe(429);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // The refused batch spent nothing: the whole allowance is still there.
    expect((await graphql(url, KEYS.burst, SUBMIT_MANY, many(RATE - 1))).body.data.submitJobs.jobs).toHaveLength(RATE - 1);
    const last = await submit({ type: 'echo', payload: 'last', runAt: LATER }, KEYS.burst);
    expect(last.job).not.toBeNull();
    for (const query of [
      'mutation ($id: ID!) { retryJob(id: $id) { userErrors { code } } }',
      'mutation ($id: ID!) { cancelJob(id: $id) { userErrors { code } } }',
    ]) {
      const refused = await graphql(url, KEYS.burst, query, { id: last.job!.id });
      expect(refused.body.errors?.[0]?.extensions?.code, query).toBe('RATE_LIMITED');
    }
    const schedule = await graphql(url, KEYS.burst, 'mutation { createSchedule(input: { name: "burst", cron: "0 * * * *", job: { type: "echo", payload: 1 } }) { userErrors { code } } }');
    expect(schedule.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('caps how often schedules fire and how many exist', async () => {
    const create = (name: string, cron: string) =>
      graphql(url, KEYS.root, 'mutation ($name: String!, $cron: String!) { createSchedule(input: { name: $name, cron: $cron, job: { type: "echo", payload: 1 } }) { schedule { id } userErrors { code field message } } }', { name, cron });
    const fast = (await create('fast', '* * * * * *')).body.data.createSchedule;
    expect(fast.userErrors[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', field: ['input', 'cron'] });
    expect(fast.userErrors[0].message).toMatch(/SCHEDULE_MIN_INTERVAL_MS/);
    for (const name of ['s1', 's2', 's3']) expect((await create(name, '0 * * * *')).body.data.createSchedule.userErrors).toEqual([]);
    const fourth = (await create('s4', '0 * * * *')).body.data.createSchedule;
    expect(fourth.userErrors[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', field: ['input'] });
    expect(fourth.userErrors[0].message).toMatch(/MAX_SCHEDULES/);
  });

  it('bounds the files jobs write in size and in time', { timeout: 30_000 }, async () => {
    // 300 KB of payloads to export, into 200 KB of OUTPUT_MAX_BYTES.
    for (let i = 0; i < 6; i++) await submit({ type: 'echo', payload: 'p'.repeat(50_000), runAt: LATER });
    const big = await submit({ type: 'data.export', payload: { format: 'ndjson' }, maxAttempts: 1 });
    const bigDone = await finished(big.job!.id);
    expect(bigDone.status).toBe('FAILED');
    expect(bigDone.lastError).toMatch(/OUTPUT_MAX_BYTES/);
    expect(readdirSync(outputDir)).toEqual([]);
    const small = await submit({ type: 'data.export', payload: { format: 'csv', filter: { type: ['nothing-of-this-type'] } } });
    const smallDone = await finished(small.job!.id);
    expect(smallDone.status).toBe('COMPLETED');
    expect(readdirSync(outputDir)).toEqual([`${small.job!.id}.csv`]);
    // Deleted once OUTPUT_RETENTION_MS (3 s) has passed.
    await eventually(() => (readdirSync(outputDir).length === 0 ? true : undefined), 10_000, 'the export file to be deleted');
  });
});
