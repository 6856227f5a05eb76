// Issue 21: tracing. With OTEL_EXPORTER_OTLP_ENDPOINT set, one trace runs from the
// request that submits a job (joined to the caller's traceparent) through each attempt
// (in the worker thread here) to the statement that records its outcome, with
// PostgreSQL and Redis spans inside, and log lines that carry the trace id. The test is
// the collector: an OTLP/HTTP receiver of its own, in JSON and in protobuf.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedBackend, waitFor, type SharedBackend } from './helpers/app.js';
import { graphql } from './helpers/hostile.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- OTLP JSON, walked by path */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** An OTLP/HTTP collector: keeps the spans of JSON exports, counts protobuf ones. */
class Collector {
  readonly spans: ReceivedSpan[] = [];
  protobufExports = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url !== '/v1/traces' || req.method !== 'POST') return void res.writeHead(404).end();
        if ((req.headers['content-type'] ?? '').includes('protobuf')) {
          if (body.length > 0) this.protobufExports++;
          return void res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        }
        this.keep(JSON.parse(body.toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  private keep(request: any): void {
    const values = (attributes: any[] = []) => Object.fromEntries(attributes.map((entry) => [entry.key, Object.values(entry.value ?? {})[0]]));
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = values(resourceSpans.resource?.attributes);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, kind: span.kind, status: span.status ?? {}, attributes: values(span.attributes), resource });
        }
      }
    }
  }
}

let backend: SharedBackend;
const collector = new Collector();
const services: ServiceProcess[] = [];

beforeAll(async () => {
  backend = await createSharedBackend();
  await collector.start();
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  await collector.stop();
  await backend?.drop();
});

const SUBMIT = 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id } userErrors { message } } }';

async function traced(protocol: 'http/json' | 'http/protobuf'): Promise<string> {
  const service = await startServiceProcess({
    ...backend.env,
    HANDLERS_DIR: 'test/handlers',
    DEFAULT_BACKOFF_DELAY_MS: '50',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_SERVICE_NAME: 'jobgraph-traced',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  services.push(service);
  return `http://127.0.0.1:${service.port}/graphql`;
}

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('follows a job from the submit that the caller traced, through each attempt, to its completion', { timeout: 60_000 }, async () => {
    const url = await traced('http/json');
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const submitted = await graphql(url, undefined, SUBMIT, { input: { type: 'test.failOnce', payload: {}, maxAttempts: 3 } }, {
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(submitted.body.data.submitJob.userErrors).toEqual([]);
    const jobId = submitted.body.data.submitJob.job.id as string;

    const spans = await waitFor(async () => {
      const found = collector.inTrace(traceId);
      const attempts = found.filter((span) => span.name === 'attempt test.failOnce');
      return attempts.length === 2 && attempts.some((span) => span.attributes['jobgraph.outcome'] === 'completed') ? found : undefined;
    }, 30_000, 'both attempts in the trace');

    // The request joins the caller's span; each attempt is a child of the request that submitted it.
    const request = spans.find((span) => span.name === 'POST /graphql')!;
    expect(request.parentSpanId).toBe(callerSpan);
    expect(request.resource['service.name']).toBe('jobgraph-traced');
    const attempts = spans.filter((span) => span.name === 'attempt test.failOnce').sort((a, b) => Number(a.attributes['jobgraph.attempt']) - Number(b.attributes['jobgraph.attempt']));
    for (const attempt of attempts) {
      expect(attempt.parentSpanId).toBe(request.spanId);
      expect(attempt.attributes['jobgraph.job.id']).toBe(jobId);
      // Run by the workers, in their thread.
      expect(attempt.resource['jobgraph.thread']).toBe('workers');
    }
    expect(attempts.map((span) => [span.attributes['jobgraph.attempt'], span.attributes['jobgraph.outcome'], span.status.code ?? 0])).toEqual([
      [1, 'failed', 2],
      [2, 'completed', 0],
    ]);

    // PostgreSQL and Redis spans: the submit's insert and queue add, each attempt's record of its outcome.
    const below = (parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);
    const system = (span: ReceivedSpan) => span.attributes['db.system'] ?? span.attributes['db.system.name'];
    expect(spans.filter((span) => system(span) === 'postgresql').length).toBeGreaterThan(0);
    expect(spans.filter((span) => system(span) === 'redis').length).toBeGreaterThan(0);
    for (const attempt of attempts) expect(below(attempt).some((span) => system(span) === 'postgresql')).toBe(true);

    // Log lines written inside the trace carry its id: the failed attempt's warning, here.
    const service = services.at(-1)!;
    const logged = service.output.filter((line) => line.includes(`"trace_id":"${traceId}"`));
    expect(logged.some((line) => line.includes('attempt 1 of 3 failed'))).toBe(true);
  });

  it("carries the trace into a team's worker process: its spans join the attempt's", { timeout: 60_000 }, async () => {
    const url = await traced('http/json');
    const worker = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'test/fixtures/tracedWorker.ts'], {
      env: { ...process.env, JOBGRAPH_URL: url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    for (const stream of [worker.stdout, worker.stderr]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    try {
      await waitFor(async () => (output.join('').includes('ready ') ? true : undefined), 30_000, 'the worker to start');
      const traceId = randomBytes(16).toString('hex');
      const submitted = await graphql(url, undefined, SUBMIT, { input: { type: 'team.traced', payload: {} } }, {
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      expect(submitted.body.data.submitJob.userErrors).toEqual([]);
      const spans = await waitFor(async () => {
        const found = collector.inTrace(traceId);
        return found.some((span) => span.name === 'team work') && found.some((span) => span.name === 'attempt team.traced') ? found : undefined;
      }, 30_000, "the worker's spans in the trace");
      const attempt = spans.find((span) => span.name === 'attempt team.traced')!;
      const run = spans.find((span) => span.name === 'run team.traced')!;
      const own = spans.find((span) => span.name === 'team work')!;
      // The service's attempt, the SDK's span for the job under it, and the team's own span under that, in the team's process.
      expect(attempt.resource['service.name']).toBe('jobgraph-traced');
      expect(run.parentSpanId).toBe(attempt.spanId);
      expect(run.resource['service.name']).toBe('team-worker');
      expect(run.attributes['jobgraph.job.id']).toBe(submitted.body.data.submitJob.job.id);
      expect(own.parentSpanId).toBe(run.spanId);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  });

  it('sends spans in protobuf too (the default protocol)', { timeout: 60_000 }, async () => {
    const url = await traced('http/protobuf');
    const submitted = await graphql(url, undefined, SUBMIT, { input: { type: 'echo', payload: 'traced' } });
    expect(submitted.body.data.submitJob.userErrors).toEqual([]);
    await waitFor(async () => (collector.protobufExports > 0 ? true : undefined), 20_000, 'a protobuf export');
  });

  it('is off without an endpoint: nothing is sent and jobs keep no trace', { timeout: 60_000 }, async () => {
    // The traced services stopped (and flushed) first: whatever arrives now is this one's.
    for (const traced of services.splice(0)) await traced.stop();
    const before = collector.spans.length + collector.protobufExports;
    const service = await startServiceProcess({ ...backend.env, HANDLERS_DIR: 'test/handlers' });
    services.push(service);
    const url = `http://127.0.0.1:${service.port}/graphql`;
    const traceId = randomBytes(16).toString('hex');
    const submitted = await graphql(url, undefined, SUBMIT, { input: { type: 'echo', payload: 'untraced' } }, {
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    const jobId = submitted.body.data.submitJob.job.id as string;
    await waitFor(async () => ((await graphql(url, undefined, 'query ($id: ID!) { job(id: $id) { status } }', { id: jobId })).body.data.job.status === 'COMPLETED' ? true : undefined));
    expect(service.output.some((line) => line.includes('trace_id'))).toBe(false);
    const truth = new pg.Client({ connectionString: backend.env.DATABASE_URL });
    await truth.connect();
    const { rows } = await truth.query<{ trace_parent: string | null }>('SELECT trace_parent FROM jobs WHERE id = $1', [jobId]).finally(() => truth.end());
    expect(rows).toEqual([{ trace_parent: null }]);
    expect(collector.spans.length + collector.protobufExports).toBe(before);
  });
});
