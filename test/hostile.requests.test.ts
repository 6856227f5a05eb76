// Hostile and heavy requests, each as an attacker would send it, against the service
// running as its own process: each is refused with a clear code, the process stays
// alive, and its memory (read from /proc) stays bounded. Findings of issue 9: response
// size, cost through variables, /metrics labels, unauthenticated sockets, slow bodies,
// subscriptions per socket and their reads, bad input, pages and browsers.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedBackend, type SharedBackend } from './helpers/app.js';
import { eventually, graphql, memoryMb } from './helpers/hostile.js';
import { subscribeWs } from './helpers/live.js';
import { startServiceProcess, type ServiceProcess } from './helpers/process.js';
import { startProxy, type CutProxy } from './helpers/proxy.js';

const KEYS = { root: 'root-0123456789abcdef', reader: 'read-0123456789abcdef', writer: 'write-0123456789abcdef' };
const LIMITS = { perAddress: 64, connections: 150, subscriptions: 20, responseBytes: 16 * 1024 * 1024 };

let backend: SharedBackend;
let pgProxy: CutProxy;
let service: ServiceProcess;
let url: string;
const memory = () => memoryMb(service.child.pid as number);
/** Far enough ahead that the jobs wait (runAt may be at most 366 days ahead). */
const LATER = new Date(Date.now() + 300 * 86_400_000).toISOString();

beforeAll(async () => {
  backend = await createSharedBackend();
  pgProxy = await startProxy('127.0.0.1', 5432);
  service = await startServiceProcess({
    ...backend.env,
    DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgProxy.port}/${backend.database}`,
    API_KEYS: `root:${KEYS.root}:admin;reader:${KEYS.reader}:jobs:read;writer:${KEYS.writer}:jobs:write`,
    MAX_CONNECTIONS_PER_ADDRESS: String(LIMITS.perAddress),
    MAX_CONNECTIONS: String(LIMITS.connections),
    MAX_SUBSCRIPTIONS_PER_CONNECTION: String(LIMITS.subscriptions),
    REQUEST_TIMEOUT_MS: '2000',
  });
  url = `http://127.0.0.1:${service.port}/graphql`;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await pgProxy?.close();
  await backend?.drop();
});

async function alive(): Promise<void> {
  expect(service.child.exitCode).toBeNull();
  const health = await fetch(`http://127.0.0.1:${service.port}/health`);
  expect(health.status).toBe(200);
}

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { code message } } }';

describe('finding 1: one read request cannot build a response that kills the process', () => {
  it('refuses a response over MAX_RESPONSE_BYTES with RESPONSE_TOO_LARGE before loading it, and stays small', { timeout: 90_000 }, async () => {
    // 120 jobs of 200 KB each (24 MB stored); 30 aliases of them would be 720 MB of payloads.
    const payload = { blob: 'x'.repeat(200_000) };
    for (let i = 0; i < 12; i++) {
      const { body } = await graphql(url, KEYS.root, SUBMIT_MANY, { input: Array.from({ length: 10 }, () => ({ type: 'sleep', payload: { ms: 1 }, runAt: LATER })) });
      expect(body.data?.submitJobs.userErrors).toEqual([]);
    }
    // Sleep payloads are tiny: big ones go in echo jobs that are delayed, so they stay as they are.
    for (let i = 0; i < 12; i++) {
      const { body } = await graphql(url, KEYS.root, SUBMIT_MANY, {
        input: Array.from({ length: 10 }, () => ({ type: 'echo', payload, runAt: LATER })),
      });
      expect(body.data?.submitJobs.userErrors).toEqual([]);
    }
    const before = memory();
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: jobs(first: 240) { nodes { id payload result } }`).join(' ');
    const answers = await Promise.all(Array.from({ length: 3 }, () => graphql(url, KEYS.reader, `{ ${aliases} }`)));
    for (const { status, body } of answers) {
      expect(status).toBeLessThan(500);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 'MAX_RESPONSE_BYTES', max: LIMITS.responseBytes });
      expect(body.errors?.[0]?.message).toMatch(/MAX_RESPONSE_BYTES/);
      expect(body.data ?? null).toBeNull();
    }
    // A page that fits is answered whole.
    const fits = await graphql(url, KEYS.reader, '{ jobs(first: 40, filter: { type: ["echo"] }) { nodes { payload } } }');
    expect(fits.body.errors).toBeUndefined();
    expect(fits.body.data.jobs.nodes).toHaveLength(40);
    expect(fits.body.data.jobs.nodes[0].payload.blob).toHaveLength(200_000);
    await alive();
    const after = memory();
    expect(after.peak - before.rss, `peak ${after.peak} MB from ${before.rss} MB`).toBeLessThan(300);
  });
});

describe('finding 2: the cost of a document is counted with its variables, and nested lists are batched', () => {
  it('refuses page sizes given as variables exactly as literal ones', async () => {
    const query = 'query ($n: Int) { a0: jobs(first: $n) { nodes { events(first: $n) { nodes { job { events(first: $n) { nodes { id } } } } } } } }';
    const { status, body } = await graphql(url, KEYS.reader, query, { n: 500 });
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_QUERY_COST' });
    expect(body.errors?.[0]?.message).toMatch(/would cost \d+, more than MAX_QUERY_COST \(50000\)/);
    // The cost of the operation that runs, not of the first one in the document.
    const two = `query Cheap { jobStats { total } } ${query.replace('query (', 'query Dear(')}`;
    const chosen = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.reader}` },
      body: JSON.stringify({ query: two, variables: { n: 500 }, operationName: 'Dear' }),
    });
    expect(((await chosen.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
  });

  it('reads the histories and jobs of a whole page in one statement per level', async () => {
    const query = 'query ($n: Int) { jobs(first: $n) { nodes { id events(first: 3) { nodes { id job { id status } } } } } }';
    const before = pgProxy.statements;
    const { body } = await graphql(url, KEYS.reader, query, { n: 200 });
    const used = pgProxy.statements - before;
    expect(body.errors).toBeUndefined();
    expect(body.data.jobs.nodes).toHaveLength(200);
    expect(body.data.jobs.nodes.every((job: { events: { nodes: unknown[] } }) => job.events.nodes.length > 0)).toBe(true);
    // jobs, events, their jobs: 3 statements (and the odd poll of the event hub), not 400.
    expect(used).toBeLessThanOrEqual(8);
  });
});

describe('finding 5: clients cannot write /metrics labels', () => {
  it('keeps operation names, URLs and variables out of metrics, and refuses a keyless request before reading it', async () => {
    const huge = `Op${'x'.repeat(10 * 1024 * 1024)}`;
    // The server answers 401 and closes without reading the 10 MB body. The client may
    // read that answer, or, when the close lands while it is still sending, see the
    // connection reset: both are a refusal before reading; anything else fails.
    const unauthenticated = await graphql(url, undefined, `query ${huge} { jobStats { total } }`).catch((error: unknown) => {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNRESET' || code === 'EPIPE') return null;
      throw error;
    });
    if (unauthenticated) {
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const named = `Secret${'y'.repeat(5000)}`;
    expect((await graphql(url, KEYS.reader, `query ${named} { jobStats { total } }`)).status).toBe(200);
    const get = await fetch(`${url}?query=${encodeURIComponent('query ($v: String) { jobStats { total } }')}&variables=${encodeURIComponent('{"v":"card-4111111111111111"}')}`, {
      headers: { authorization: `Bearer ${KEYS.reader}`, accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const scrape = await fetch(`http://127.0.0.1:${service.port}/metrics`);
      expect(scrape.status).toBe(200);
      const text = await scrape.text();
      expect(text).toContain('graphql_yoga_http_duration');
      expect(text).not.toContain('xxxxxxxxxx');
      expect(text).not.toContain('Secret');
      expect(text).not.toContain('4111111111111111');
      expect(text).not.toMatch(/url="/);
      expect(text.length).toBeLessThan(500_000);
    }
    await alive();
  });
});

/** Opens a WebSocket and resolves with how it closed. */
function socketClose(connectionParams: Record<string, unknown> | null): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
    socket.on('open', () => {
      if (connectionParams) socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
    });
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') reject(new Error('acknowledged without a valid key'));
    });
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
    socket.on('error', () => undefined);
  });
}

describe('finding 6: sockets and connections without a key hold nothing', () => {
  it('closes WebSockets without a key (4401) or with a wrong one (4403) at connection_init', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const closes = await Promise.all([
      // Fewer at once than MAX_CONNECTIONS_PER_ADDRESS, which the next test shows.
      ...Array.from({ length: 25 }, () => socketClose({})),
      ...Array.from({ length: 25 }, () => socketClose({ authorization: 'Bearer wrong-0123456789abcdef' })),
    ]);
    expect(closes.slice(0, 25).map(({ code }) => code)).toEqual(Array(25).fill(4401));
    expect(closes.slice(25).map(({ code }) => code)).toEqual(Array(25).fill(4403));
    expect(Date.now() - started).toBeLessThan(10_000);
    await alive();
  });

  it('answers connections over the caps (429 or 503 with Retry-After; WebSocket close 1013, naming the limit), drops a flood past that, and serves other addresses', { timeout: 60_000 }, async () => {
    const before = memory();
    const held: Socket[] = [];
    /** Plain TCP connections from `from` that send nothing, held open. */
    const hold = async (from: string, count: number) => {
      const opened = Array.from({ length: count }, () => {
        const socket = connect({ port: service.port, host: '127.0.0.1', localAddress: from });
        socket.on('error', () => undefined);
        held.push(socket);
        return new Promise((resolve) => socket.once('connect', resolve).once('close', resolve));
      });
      await Promise.all(opened);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the server has counted them
      return held.slice(-count);
    };
    /** A GET on a connection of its own from `from`: status, Retry-After and body. */
    const get = (from: string) =>
      new Promise<{ status: number; retryAfter: string | undefined; body: { errors?: { message: string; extensions: Record<string, unknown> }[] } }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: service.port, path: '/health', localAddress: from, agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
        })
          .on('error', (error) => reject(new Error(`GET from ${from}: ${error.message}`)))
          .end();
      });
    /** A WebSocket from `from`: how it was closed. */
    const wsClose = (from: string) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws', { localAddress: from });
        socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
        socket.on('error', () => undefined);
      });

    try {
      // One address fills MAX_CONNECTIONS_PER_ADDRESS; its next connections are answered, not reset.
      await hold('127.0.0.1', LIMITS.perAddress);
      const perAddress = await get('127.0.0.1');
      expect(perAddress.status).toBe(429);
      expect(perAddress.retryAfter).toBe('1');
      expect(perAddress.body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'MAX_CONNECTIONS_PER_ADDRESS', max: LIMITS.perAddress });
      const closed = await wsClose('127.0.0.1');
      expect(closed.code).toBe(1013);
      expect(closed.reason).toContain(`at most ${LIMITS.perAddress} connections (MAX_CONNECTIONS_PER_ADDRESS)`);

      // A flood past the cap is not answered: at most 256 wait for their answer, the rest are dropped at once.
      const flood = await hold('127.0.0.1', 400);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const dropped = flood.filter((socket) => socket.destroyed || socket.readyState === 'closed').length;
      expect(dropped).toBeGreaterThanOrEqual(400 - 256);
      for (const socket of flood) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300)); // their places are free again

      // Another address is still served.
      expect((await get('127.0.0.2')).status).toBe(200);

      // Three addresses fill MAX_CONNECTIONS, afresh (idle ones are cut after REQUEST_TIMEOUT_MS, 2 s): now every address is told the server is full.
      // The server must have let go of the earlier ones first, or some of the new ones are
      // refused and the count falls short once it does (CI, stop 25): an answered request sent
      // after the closes is the barrier, as the server handles them before it. Should one still
      // slip, the refused ones are cut after 2 s and the fill is tried again (three times at most).
      const fill = async () => {
        for (const socket of held.splice(0)) socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await get('127.0.0.4')).status).toBe(200);
        await Promise.all([hold('127.0.0.5', LIMITS.perAddress), hold('127.0.0.2', LIMITS.perAddress), hold('127.0.0.3', LIMITS.connections - 2 * LIMITS.perAddress)]);
        return get('127.0.0.4');
      };
      let full = await fill();
      for (let attempt = 1; attempt < 3 && full.status === 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 2500));
        full = await fill();
      }
      expect(full.status).toBe(503);
      expect(full.retryAfter).toBe('1');
      expect(full.body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', limit: 'MAX_CONNECTIONS', max: LIMITS.connections });
      expect(full.body.errors?.[0]?.message).toContain(`at most ${LIMITS.connections} connections (MAX_CONNECTIONS)`);
      const fullSocket = await wsClose('127.0.0.4');
      expect(fullSocket.code).toBe(1013);
      expect(fullSocket.reason).toContain('(MAX_CONNECTIONS)');

      // Idle connections that never start a request are cut after REQUEST_TIMEOUT_MS, refused ones too; then all are served again.
      await eventually(() => (held.every((socket) => socket.destroyed || socket.readyState === 'closed') ? true : undefined), 15_000, 'idle sockets closed');
      expect((await get('127.0.0.1')).status).toBe(200);
      // Answering 600 connections' worth of refusals held nothing.
      expect(memory().rss - before.rss).toBeLessThan(100);
      await alive();
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300)); // the server has seen them close
    }
  });

  it('cuts a request body sent a byte a second, and answers a keyless one before reading its body', { timeout: 30_000 }, async () => {
    const slow = (secret?: string) =>
      new Promise<{ status: number; ms: number }>((resolve) => {
        const started = Date.now();
        const req = request(
          { host: '127.0.0.1', port: service.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 1000, ...(secret ? { authorization: `Bearer ${secret}` } : {}) } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
          },
        );
        req.on('error', () => resolve({ status: 0, ms: Date.now() - started }));
        req.flushHeaders();
        req.on('close', () => resolve({ status: -1, ms: Date.now() - started }));
        const drip = setInterval(() => (req.destroyed ? clearInterval(drip) : req.write('{')), 1000);
        setTimeout(() => {
          clearInterval(drip);
          req.destroy();
        }, 20_000);
      });
    const [keyless, keyed] = await Promise.all([slow(), slow(KEYS.reader)]);
    expect(keyless.status).toBe(401);
    expect(keyless.ms).toBeLessThan(1000);
    expect(keyed.status === 408 || keyed.status <= 0).toBe(true);
    expect(keyed.ms).toBeLessThan(6000);
    await alive();
  });
});

describe('finding 7: subscriptions per socket are capped, and their reads shared', () => {
  it('refuses subscriptions past MAX_SUBSCRIPTIONS_PER_CONNECTION with LIMIT_EXCEEDED', { timeout: 30_000 }, async () => {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${KEYS.reader}` } });
    const feeds = Array.from({ length: LIMITS.subscriptions + 5 }, () => subscribeWs(client, 'subscription { jobEvents { id } }', {}));
    // graphql-ws reports a refused subscribe as the subscription's error: a list of GraphQL errors.
    const refusal = (feed: (typeof feeds)[number]) => (feed.error as { message: string; extensions?: { code?: string } }[] | undefined)?.[0];
    const refused = await eventually(() => {
      const errors = feeds.filter((feed) => refusal(feed)?.extensions?.code === 'LIMIT_EXCEEDED');
      return errors.length >= 5 ? errors : undefined;
    }, 10_000, 'refusals');
    expect(refused).toHaveLength(5);
    expect(refusal(refused[0]!)?.message).toMatch(/MAX_SUBSCRIPTIONS_PER_CONNECTION/);
    for (const feed of feeds) feed.unsubscribe();
    await client.dispose();
  });

  it('loads the job of an event once for every subscriber of the process', { timeout: 60_000 }, async () => {
    const subscribers = 60;
    const clients = Array.from({ length: 4 }, () =>
      createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${KEYS.reader}` } }),
    );
    const feeds = Array.from({ length: subscribers }, (_, i) =>
      subscribeWs(clients[i % clients.length]!, 'subscription { jobEvents(filter: { eventType: [COMPLETED] }) { id job { id status } } }', {}),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = pgProxy.statements;
    const { body } = await graphql(url, KEYS.root, SUBMIT_MANY, { input: Array.from({ length: 10 }, () => ({ type: 'echo', payload: 'fan' })) });
    expect(body.data.submitJobs.jobs).toHaveLength(10);
    for (const feed of feeds) await feed.until((f) => f.items.length >= 10, 20_000);
    const used = pgProxy.statements - before;
    expect(feeds.every((feed) => (feed.items as { jobEvents: { job: { status: string } } }[]).every((item) => item.jobEvents.job.status === 'COMPLETED'))).toBe(true);
    // Submitting, starting and completing 10 jobs, plus one read per event: per subscriber it would be 600 more.
    expect(used, `${used} statements`).toBeLessThan(60);
    for (const feed of feeds) feed.unsubscribe();
    for (const client of clients) await client.dispose();
  });
});

describe('finding 10: bad input is BAD_USER_INPUT naming the field, never a crash', () => {
  const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
  const cases: [string, string, unknown, string[]][] = [
    ['a NUL in a filter', 'query ($t: [String!]) { jobs(filter: { type: $t }) { nodes { id } } }', { t: ['a\u0000b'] }, ['filter', 'type']],
    ['a NUL in a key filter', 'query ($k: String) { jobs(filter: { idempotencyKey: $k }) { nodes { id } } }', { k: 'a\u0000' }, ['filter', 'idempotencyKey']],
    ['year 0', 'query ($d: DateTime) { jobs(filter: { createdAfter: $d }) { nodes { id } } }', { d: '0000-01-01T00:00:00Z' }, ['filter', 'createdAfter']],
    ['a cursor with a non-date', 'query ($c: String) { jobs(after: $c) { nodes { id } } }', { c: cursor(['CREATED_AT', '1', '0190a1b2-0000-7000-8000-000000000000']) }, ['after']],
    [
      'a cursor with a huge number',
      'query ($c: String) { jobs(after: $c, orderBy: { field: PRIORITY, direction: DESC }) { nodes { id } } }',
      { c: cursor(['PRIORITY', 1e300, '2026-01-01T00:00:00.000Z', '0190a1b2-0000-7000-8000-000000000000']) },
      ['after'],
    ],
  ];
  for (const [name, query, variables, field] of cases) {
    it(`answers ${name} with BAD_USER_INPUT`, async () => {
      const { status, body } = await graphql(url, KEYS.reader, query, variables);
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });
  }

  it('refuses documents nested thousands deep, in the text or in variables, without a stack overflow', async () => {
    const deep = `{ jobs(filter: { type: ${'['.repeat(3000)}"a"${']'.repeat(3000)} }) { nodes { id } } }`;
    // The second hides its brackets' start behind an escaped quote in a block string.
    const hidden = `{ a: jobStats(queue: """\\"""" """) { total } b: jobs(filter: { type: ${'['.repeat(2400)}"a"${']'.repeat(2400)} }) { nodes { id } } }`;
    for (const document of [deep, hidden]) {
      const text = await graphql(url, KEYS.reader, document);
      expect(text.status).toBe(400);
      expect(text.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(text.body.errors?.[0]?.message).toMatch(/nested too deeply/);
    }
    // Written by hand: this process's own JSON.stringify would overflow on it.
    const query = JSON.stringify('mutation ($p: JSON!) { submitJob(input: { type: "echo", payload: $p }) { job { id } userErrors { code field } } }');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.writer}` },
      body: `{"query":${query},"variables":{"p":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
    });
    expect(response.status).toBeLessThan(500);
    const answer = (await response.json()) as { data?: { submitJob: { userErrors: { code: string }[] } }; errors?: { extensions?: { code?: string } }[] };
    const refusal = answer.data?.submitJob.userErrors[0] ?? answer.errors?.[0]?.extensions;
    expect(['INVALID_INPUT', 'BAD_USER_INPUT', 'BAD_REQUEST']).toContain(refusal?.code);
    await alive();
  });
});

describe('finding 11: pages and browsers', () => {
  it('serves GraphiQL from the package with a CSP, and the dashboard with one', async () => {
    const graphiql = await fetch(url, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    const html = await graphiql.text();
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn\./);
    expect(html).toContain('jobgraph');
    const policy = graphiql.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'sha256-/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(graphiql.headers.get('x-frame-options')).toBe('DENY');
    const dashboard = await fetch(`http://127.0.0.1:${service.port}/`);
    expect(dashboard.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  });

  it('refuses cross-site form posts and reflects no foreign origin', async () => {
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${KEYS.writer}`, origin: 'https://evil.example' },
      body: 'query=mutation%20%7B%20cancelJob(id%3A%20%22x%22)%20%7B%20job%20%7B%20id%20%7D%20%7D%20%7D',
    });
    expect(form.status).toBe(415);
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example', authorization: `Bearer ${KEYS.reader}` }, body: '{"query":"{ jobStats { total } }"}' });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives unauthenticated callers no "Did you mean" suggestions', async () => {
    const { status, body } = await graphql(url, undefined, '{ jobStat { total } }');
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toMatch(/Did you mean/);
  });
});
