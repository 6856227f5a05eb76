// The job types beyond echo, sleep and http.request, each doing the real thing
// locally: email.send to an in-process SMTP server, data.export to files, and a job
// type loaded from HANDLERS_DIR.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { GetJob, JobTypes, SubmitJob, SubmitJobs } from './operations.js';

const received: { to: string[]; body: string }[] = [];
let smtp: SMTPServer;
let app: TestApp;
let exportDir: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), body });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  exportDir = await mkdtemp(join(tmpdir(), 'jobgraph-export-'));
  app = await startTestApp({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'jobs@example.test',
    OUTPUT_DIR: exportDir,
    HANDLERS_DIR: 'examples/handlers',
    // The image server is local: loopback must be allowed for image.resize's URL source.
    HTTP_ALLOW_HOSTS: '127.0.0.1',
  });
});

afterAll(async () => {
  await app?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await rm(exportDir, { recursive: true, force: true });
});

async function finished(id: string) {
  return waitFor(async () => {
    const { job } = await app.data(GetJob, { id });
    return job && ['COMPLETED', 'FAILED'].includes(job.status) ? job : undefined;
  }, 15_000);
}

it('email.send delivers through SMTP and completes with what the server accepted', async () => {
  const { submitJob } = await app.data(SubmitJob, {
    input: { type: 'email.send', payload: { to: 'ada@example.test', subject: 'Report ready', text: 'It is attached.' } },
  });
  const job = await finished(submitJob.job!.id);
  expect(job).toMatchObject({ status: 'COMPLETED', result: { accepted: ['ada@example.test'], rejected: [] } });
  expect(received).toHaveLength(1);
  expect(received[0]!.to).toEqual(['ada@example.test']);
  expect(received[0]!.body).toMatch(/Subject: Report ready/);
  expect(received[0]!.body).toMatch(/From: jobs@example.test/);
});

it('email.send refuses a payload without a body, naming the field', async () => {
  const { submitJob } = await app.data(SubmitJob, { input: { type: 'email.send', payload: { to: 'not-an-address', subject: 'x' } } });
  expect(submitJob.job).toBeNull();
  expect(submitJob.userErrors.map((error) => error.field)).toEqual(
    expect.arrayContaining([
      ['input', 'payload', 'to'],
      ['input', 'payload', 'text'],
    ]),
  );
});

it('data.export writes the matching jobs as CSV and NDJSON', async () => {
  await app.data(SubmitJobs, { input: Array.from({ length: 25 }, (_, index) => ({ type: 'echo', payload: { index, note: 'a "quoted", line\nbreak' } })) });
  for (const format of ['csv', 'ndjson'] as const) {
    const { submitJob } = await app.data(SubmitJob, {
      input: { type: 'data.export', payload: { filter: { type: ['echo'] }, format } },
    });
    const job = await finished(submitJob.job!.id);
    expect(job.status, job.lastError ?? '').toBe('COMPLETED');
    const result = job.result as { path: string; rows: number; bytes: number };
    expect(result.rows).toBeGreaterThanOrEqual(25);
    const text = await readFile(result.path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(result.bytes);
    if (format === 'ndjson') {
      const rows = text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; payload: unknown });
      expect(rows).toHaveLength(result.rows);
      expect(rows.every((row) => row.type === 'echo')).toBe(true);
    } else {
      expect(text.startsWith('id,queue,type,status,')).toBe(true);
      // JSON columns are quoted CSV fields: their quotes doubled, commas and newlines kept.
      expect(text).toContain('"{""note"":""a \\""quoted\\"", line\\nbreak""');
    }
  }
});

it('image.resize scales an image given as base64 or by URL', async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } }).png().toBuffer();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/red.png`;
  try {
    const { submitJobs } = await app.data(SubmitJobs, {
      input: [
        { type: 'image.resize', payload: { source: png.toString('base64'), width: 32, format: 'webp' } },
        { type: 'image.resize', payload: { source: url, width: 16, height: 16, format: 'png' } },
        { type: 'image.resize', payload: { source: Buffer.from('not an image').toString('base64'), width: 10 } },
      ],
    });
    const [fromBase64, fromUrl, broken] = await Promise.all(submitJobs.jobs.map((job) => finished(job.id)));
    expect(fromBase64!.result).toMatchObject({ format: 'webp', width: 32, height: 24 });
    const written = await sharp((fromBase64!.result as { path: string }).path).metadata();
    expect([written.format, written.width, written.height]).toEqual(['webp', 32, 24]);
    expect(fromUrl!.result).toMatchObject({ format: 'png', width: 16, height: 16, bytes: expect.any(Number) });
    expect(broken).toMatchObject({ status: 'FAILED', attempts: 1, lastError: expect.stringMatching(/not an image/) });
  } finally {
    server.close();
  }
});

it('loads job types from HANDLERS_DIR', async () => {
  const { jobTypes } = await app.data(JobTypes, {});
  expect(jobTypes.map((type) => type.name)).toEqual(expect.arrayContaining(['text.slugify', 'email.send', 'data.export', 'image.resize']));
  const { submitJob } = await app.data(SubmitJob, { input: { type: 'text.slugify', payload: { title: 'Héllo, Wörld!' } } });
  expect((await finished(submitJob.job!.id)).result).toEqual({ slug: 'hello-world' });
});
