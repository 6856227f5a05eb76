/* eslint-disable @typescript-eslint/no-explicit-any -- raw responses to hand-written and fuzzed documents, walked by path */
// Who may do what (API keys and scopes, over HTTP and WebSocket), bounds on documents,
// submission rate limits, and fuzzed input that must never break anything.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { createLogger } from '../src/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { subscribeWs, wsUrl } from './helpers/live.js';
import { WatchJobEvents } from './operations.js';

const SECRETS = { reader: 'read-0123456789abcdef', writer: 'write-0123456789abcdef', root: 'root-0123456789abcdef' };
const API_KEYS = `reader:${SECRETS.reader}:jobs:read;writer:${SECRETS.writer}:jobs:write;root:${SECRETS.root}:admin`;

let app: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = await startTestApp({ API_KEYS, RATE_LIMIT_JOBS_PER_MINUTE: '40' }, { logger: createLogger({ LOG_LEVEL: 'debug', NODE_ENV: 'test' }, sink) });
});

afterAll(async () => {
  await app?.stop();
});

async function post(body: unknown, key?: keyof typeof SECRETS | string) {
  const secret = key && key in SECRETS ? SECRETS[key as keyof typeof SECRETS] : key;
  const response = await fetch(app.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(secret ? { authorization: `Bearer ${secret}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] } };
}

const STATS = '{ jobStats { total } }';
const SUBMIT = 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id submittedBy } userErrors { code field message } } }';

describe('API keys', () => {
  it('refuses a missing or wrong key as UNAUTHENTICATED', async () => {
    for (const key of [undefined, 'not-a-key-at-all-000000']) {
      const { status, body } = await post({ query: STATS }, key);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(status).toBe(401);
      expect(body.data ?? null).toBeNull();
    }
  });

  it('lets each scope do its part only, and jobs remember their submitter', async () => {
    expect((await post({ query: STATS }, 'reader')).body.data.jobStats.total).toBeTypeOf('number');
    const refused = await post({ query: SUBMIT, variables: { input: { type: 'echo', payload: 1 } } }, 'reader');
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.status).toBe(403);

    const submitted = await post({ query: SUBMIT, variables: { input: { type: 'echo', payload: 1 } } }, 'writer');
    expect(submitted.body.data.submitJob.job.submittedBy).toBe('writer');
    expect((await post({ query: STATS }, 'writer')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Queue control needs admin, more than a mutation's jobs:write.
    const pause = { query: 'mutation { pauseQueue(name: "default") { queue { paused } } }' };
    expect((await post(pause, 'writer')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const asRoot = await post({ query: 'query ($id: ID!) { job(id: $id) { submittedBy } }', variables: { id: submitted.body.data.submitJob.job.id } }, 'root');
    expect(asRoot.body.data.job.submittedBy).toBe('writer');
  });

  it('checks keys sent in connection_init for subscriptions', async () => {
    const feeds = [undefined, SECRETS.writer, SECRETS.reader].map((secret) => {
      const client = createClient({
        url: wsUrl(app.url),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: secret ? { authorization: `Bearer ${secret}` } : {},
      });
      return { client, feed: subscribeWs(client, WatchJobEvents, {}) };
    });
    const [anonymous, writer, reader] = feeds.map(({ feed }) => feed);
    // Without a key the socket is closed at connection_init, before any operation.
    await anonymous!.until((f) => f.error !== undefined);
    await writer!.until((f) => f.results.length > 0);
    expect((anonymous!.error as { code?: number }).code).toBe(4401);
    expect(anonymous!.results).toEqual([]);
    expect(writer!.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The reader's subscription is live: it sees a job submitted now.
    await post({ query: SUBMIT, variables: { input: { type: 'echo', payload: 'seen' } } }, 'writer');
    await reader!.until((f) => f.items.length > 0);
    expect(reader!.results[0]?.errors).toBeUndefined();
    for (const { client, feed } of feeds) {
      feed.unsubscribe();
      await client.dispose();
    }
  });

  it('never logs a secret, and tags request logs with the request id it answers with', async () => {
    const refused = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42', authorization: `Bearer ${SECRETS.writer}` },
      body: JSON.stringify({ query: '{ job(id: "nope") { id } }' }),
    });
    expect(refused.headers.get('x-request-id')).toBe('trace-42');
    const logs = logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('"requestId":"trace-42"'))).toBe(true);
    for (const secret of Object.values(SECRETS)) expect(logs).not.toContain(secret);
  });

  it('will not start in production without keys, and names a bad entry without echoing it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/API_KEYS: required when NODE_ENV=production/);
    const error = (() => {
      try {
        loadConfig({ API_KEYS: 'ci:short:jobs:read' });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/API_KEYS: entry 1 \("ci"\): secret must be 16 to 256/);
    expect(error!.message).not.toContain('short');
  });
});

describe('document limits', () => {
  it('refuses documents too deep, with too many aliases or too costly', async () => {
    const deep = `{ jobs { nodes { events { nodes { job { events { nodes { job { events { nodes { job { events { nodes { id } } } } } } } } } } } } } }`;
    const aliases = `{ ${Array.from({ length: 40 }, (_, index) => `a${index}: jobStats { total }`).join(' ')} }`;
    const costly = '{ jobs(first: 500) { nodes { events(first: 500) { nodes { id type job { id } } } } } }';
    for (const [query, pattern] of [
      [deep, /depth/i],
      [aliases, /aliases/i],
      [costly, /cost/i],
    ] as const) {
      const { status, body } = await post({ query }, 'root');
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.message).toMatch(pattern);
      expect(body.data ?? null).toBeNull();
    }
  });
});

describe('rate limits', () => {
  it('refuses submissions past the limit with when to retry, storing nothing, per key', async () => {
    const before = (await post({ query: STATS }, 'root')).body.data.jobStats.total as number;
    const batch = (n: number) => ({
      query: 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { code } } }',
      variables: { input: Array.from({ length: n }, () => ({ type: 'echo', payload: 'limited' })) },
    });
    // The writer has used a few of its 40 per minute above; 30 more pass, 30 more do not.
    expect((await post(batch(30), 'writer')).body.data.submitJobs.jobs).toHaveLength(30);
    const refused = await post(batch(30), 'writer');
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(refused.body.errors?.[0]?.message).toMatch(/retry in \d+ s/);
    expect((await post({ query: STATS }, 'root')).body.data.jobStats.total).toBe(before + 30);
    // Another key has its own allowance.
    expect((await post(batch(5), 'root')).body.data.submitJobs.jobs).toHaveLength(5);
  });
});

describe('fuzzed input', () => {
  // An open instance of its own without a rate limit, so every run reaches validation.
  let open: TestApp;
  beforeAll(async () => {
    open = await startTestApp({ RATE_LIMIT_JOBS_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await open?.stop();
  });
  const send = async (body: unknown) => {
    const response = await fetch(open.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] } };
  };
  const total = async () => (await send({ query: STATS })).body.data.jobStats.total as number;

  // Any JSON, odd Unicode included, and wrong types where the schema expects others.
  const anything = fc.oneof(
    fc.jsonValue(),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.integer(),
    fc.double(),
    fc.constant(null),
  );
  // Mostly well-typed values (so validation is reached), sometimes the wrong type.
  const mostly = <T,>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: anything, weight: 1 });
  // Inputs a client would send, and fuzzed ones.
  const sane = fc.record(
    {
      type: fc.constant('echo'),
      payload: fc.jsonValue({ maxDepth: 3 }),
      priority: fc.integer({ min: 0, max: 100 }),
      maxAttempts: fc.integer({ min: 1, max: 100 }),
      idempotencyKey: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
    },
    { requiredKeys: ['type', 'payload'] },
  );
  const fuzzy = fc.record(
    {
      type: mostly(fc.oneof(fc.constantFrom('echo', 'echo', 'sleep', 'http.request', 'nope'), fc.string({ unit: 'binary', maxLength: 200 }))),
      payload: anything,
      queue: mostly(fc.oneof(fc.constant('default'), fc.string({ unit: 'binary', maxLength: 80 }))),
      priority: mostly(fc.integer({ min: -1000, max: 1000 })),
      maxAttempts: mostly(fc.integer({ min: -5, max: 200 })),
      timeoutMs: mostly(fc.integer({ min: -10, max: 2_000_000_000 })),
      runAt: mostly(fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((date) => date.toISOString())),
      idempotencyKey: mostly(fc.string({ unit: 'binary', maxLength: 300 })),
      backoff: mostly(
        fc.record({
          type: fc.constantFrom('FIXED', 'EXPONENTIAL'),
          delayMs: fc.integer({ min: -10, max: 100_000_000 }),
          jitter: fc.constantFrom('NONE', 'FULL', 'EQUAL', 'DECORRELATED'),
        }),
      ),
    },
    { requiredKeys: ['type', 'payload'] },
  );
  const input = fc.oneof(sane, fuzzy);

  it('never answers 500 nor stores part of a refused batch', { timeout: 120_000 }, async () => {
    const outcomes = { stored: 0, userErrors: 0, graphqlErrors: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 3 }), async (inputs) => {
        const before = await total();
        const { status, body } = await send({
          query: 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { code field message } } }',
          variables: { input: inputs },
        });
        expect(status).toBeLessThan(500);
        for (const error of body.errors ?? []) expect(error.message).not.toBe('Unexpected error.');
        const after = await total();
        const payload = body.data?.submitJobs;
        if (!payload) outcomes.graphqlErrors++;
        else if (payload.userErrors.length) outcomes.userErrors++;
        else outcomes.stored++;
        if (!payload || payload.userErrors.length > 0) {
          expect(after).toBe(before);
          expect(payload?.jobs ?? []).toEqual([]);
          for (const error of payload?.userErrors ?? []) expect(error.message.length).toBeGreaterThan(0);
        } else {
          expect(after - before).toBeLessThanOrEqual(inputs.length);
          expect(payload.jobs).toHaveLength(inputs.length);
        }
      }),
      { numRuns: 150 },
    );
    // The generator reached every outcome: stored, refused by validation, refused by GraphQL typing.
    expect(outcomes.stored).toBeGreaterThan(0);
    expect(outcomes.userErrors).toBeGreaterThan(0);
    expect(outcomes.graphqlErrors).toBeGreaterThan(0);
  });

  it('answers odd ids and cursors with a clear error, never a 500', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (value) => {
        for (const [query, variables] of [
          ['query ($id: ID!) { job(id: $id) { id } }', { id: value }],
          ['query ($after: String) { jobs(after: $after) { nodes { id } } }', { after: value }],
          ['query ($before: String) { jobs(last: 3, before: $before) { nodes { id } } }', { before: value }],
        ] as const) {
          const { status, body } = await send({ query, variables });
          expect(status).toBeLessThan(500);
          for (const error of body.errors ?? []) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        }
      }),
      { numRuns: 60 },
    );
  });
});

