/* eslint-disable @typescript-eslint/no-explicit-any -- raw GraphQL responses, walked by path */
// Tenants, owners and tokens (issue 11): frontends sign in as their users with JWTs,
// signed here with HS256 and with RS256 keys served as a JWKS by this test; every read,
// subscription (WebSocket and SSE), mutation, schedule and export sees only the caller's
// tenant (and with an :own scope only the caller's jobs); an operator key sees all.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobgraphClient } from '@jobgraph/client';
import { loadConfig, ConfigError } from '../src/config.js';
import { parseApiKeys } from '../src/auth/apiKeys.js';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { connectWs, subscribeSse, subscribeWs, type Feed } from './helpers/live.js';

const HS_SECRET = 'hs256-secret-of-the-tests-0123456789abcdef';
const JOB_TOKEN_SECRET = 'job-token-secret-of-the-tests-0123456789';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'jobgraph-api';
const OPS = 'ops-key-0123456789abcdef';
const ACME = 'acme-key-0123456789abcdef';

let app: TestApp;
let jwks: Server;
let jwksUrl: string;
let jwksFetches = 0;
let served: JWK[] = [];
let jwksDown = false;
let outputDir: string;
const rsa: { kid: string; privateKey: CryptoKey; publicJwk: JWK; publicPem: string }[] = [];
const hsKey = new TextEncoder().encode(HS_SECRET);
const now = () => Math.floor(Date.now() / 1000);

async function rsaKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

beforeAll(async () => {
  rsa.push(await rsaKey('key-1'), await rsaKey('key-2'), await rsaKey('key-1'));
  served = [rsa[0]!.publicJwk];
  jwks = createServer((_req, res) => {
    jwksFetches++;
    if (jwksDown) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  outputDir = await mkdtemp(join(tmpdir(), 'jobgraph-tenants-'));
  app = await startTestApp({
    API_KEYS: `ops:${OPS}:admin;acme-backend:${ACME}:jobs:read,jobs:write:acme`,
    JWT_SECRET: HS_SECRET,
    JWT_JWKS_URL: jwksUrl,
    JWT_JWKS_COOLDOWN_MS: '300',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JOB_TOKEN_SECRET,
    RATE_LIMIT_TENANT_JOBS_PER_MINUTE: '40',
    OUTPUT_DIR: outputDir,
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  jwks?.close();
  if (outputDir) await rm(outputDir, { recursive: true, force: true });
});

interface TokenOptions {
  alg?: 'HS256' | 'RS256';
  key?: CryptoKey | Uint8Array;
  kid?: string;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch; null: no exp claim. */
  exp?: number | null;
  nbf?: number;
  /** Claims besides sub, tenant and scope; a tenant of undefined leaves the claim out. */
  extra?: Record<string, unknown>;
}

/** A token of `sub` in `tenant`, as an identity provider would sign it. */
async function token(sub: string, tenant: string | undefined, scope: string, options: TokenOptions = {}): Promise<string> {
  const { alg = 'HS256', iss = ISSUER, aud = AUDIENCE, exp = now() + 600, nbf, kid = alg === 'RS256' ? 'key-1' : undefined } = options;
  const jwt = new SignJWT({ ...(tenant === undefined ? {} : { tenant }), scope, ...options.extra })
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .setSubject(sub)
    .setIssuedAt()
    .setIssuer(iss)
    .setAudience(aud);
  if (exp !== null) jwt.setExpirationTime(exp);
  if (nbf !== undefined) jwt.setNotBefore(nbf);
  return jwt.sign(options.key ?? (alg === 'HS256' ? hsKey : rsa[0]!.privateKey));
}

const bearer = (credential: string) => `Bearer ${credential}`;

async function post(credential: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(credential ? { authorization: bearer(credential) } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] } };
}

/** Like post, failing on any GraphQL error. */
async function data(credential: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const { body } = await post(credential, query, variables);
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const JOB_FIELDS = 'id status tenant owner submittedBy payload idempotencyKey';
const SUBMIT = `mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { ${JOB_FIELDS} } userErrors { code field message } } }`;
const LATER = () => new Date(Date.now() + 3_600_000).toISOString();

async function submit(credential: string, input: Record<string, unknown> = {}): Promise<any> {
  const { submitJob } = await data(credential, SUBMIT, { input: { type: 'echo', payload: { card: '4111 1111 1111 1111' }, runAt: LATER(), ...input } });
  expect(submitJob.userErrors).toEqual([]);
  return submitJob.job;
}

async function status(id: string): Promise<string> {
  return (await data(OPS, 'query ($id: ID!) { job(id: $id) { status } }', { id })).job.status;
}

const EVENTS = 'subscription ($after: ID, $filter: JobEventFilter) { jobEvents(after: $after, filter: $filter) { id jobId type } }';
const WATCH = `subscription ($id: ID!) { jobUpdated(id: $id) { ${JOB_FIELDS} } }`;

/** The job ids a feed has seen. */
const seen = (feed: Feed<any>) => new Set(feed.items.map((item) => item.jobEvents.jobId as string));

describe('tenants and owners', () => {
  let alice: string, bob: string, carol: string, dave: string;
  const jobs: Record<string, any> = {};

  beforeAll(async () => {
    alice = await token('alice', 'A', 'jobs:read jobs:write openid profile');
    bob = await token('bob', 'B', 'jobs:read jobs:write', { alg: 'RS256' });
    carol = await token('carol', 'A', 'jobs:read:own jobs:write:own');
    dave = await token('dave', 'A', 'jobs:read jobs:write:own');
    jobs.a1 = await submit(alice, { idempotencyKey: 'shared-key' });
    jobs.b1 = await submit(bob, { idempotencyKey: 'shared-key' });
    jobs.c1 = await submit(carol);
    jobs.d1 = await submit(dave);
  });

  it('records the tenant and owner of every job, and scopes idempotency keys to the tenant', async () => {
    expect(jobs.a1).toMatchObject({ tenant: 'A', owner: 'alice', submittedBy: 'alice', status: 'SCHEDULED' });
    expect(jobs.b1).toMatchObject({ tenant: 'B', owner: 'bob', idempotencyKey: 'shared-key' });
    // The same key in another tenant is another job; in the same tenant, the same one.
    expect(jobs.b1.id).not.toBe(jobs.a1.id);
    expect((await submit(dave, { idempotencyKey: 'shared-key' })).id).toBe(jobs.a1.id);
    // A caller limited to its own jobs has a scope of its own: the key never finds alice's job.
    const carols = await submit(carol, { idempotencyKey: 'shared-key' });
    expect(carols).toMatchObject({ tenant: 'A', owner: 'carol' });
    expect(carols.id).not.toBe(jobs.a1.id);
    jobs.c2 = carols;
    // Tenants and subjects are free text: one spelled like another's scope shares nothing.
    const mallory = await token('mallory', 'A/owner:carol', 'jobs:read jobs:write');
    const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id tenant payload } } }';
    const [theirs] = (await data(mallory, SUBMIT_MANY, { input: [{ type: 'echo', payload: {}, idempotencyKey: 'shared-key' }] })).submitJobs.jobs;
    expect(theirs).toMatchObject({ tenant: 'A/owner:carol', payload: {} });
    expect([jobs.a1.id, carols.id]).not.toContain(theirs.id);
  });

  it('never shows a job of another tenant, by any query, filter, cursor or count', async () => {
    const random = '0190a7c5-0000-7000-8000-000000000000';
    expect((await data(bob, 'query ($id: ID!) { job(id: $id) { id } }', { id: jobs.a1.id })).job).toBeNull();
    const list = await data(bob, '{ jobs(first: 500) { totalCount nodes { id tenant } } }');
    expect(list.jobs.nodes.map((job: any) => job.id)).toEqual([jobs.b1.id]);
    expect(list.jobs.totalCount).toBe(1);
    const byKey = await data(bob, '{ jobs(filter: { idempotencyKey: "shared-key" }) { nodes { id } } }');
    expect(byKey.jobs.nodes).toEqual([{ id: jobs.b1.id }]);
    // Alice's cursor, in bob's hands, positions a list of bob's jobs only.
    const alicePage = await data(alice, '{ jobs(first: 1, orderBy: { field: CREATED_AT, direction: ASC }) { pageInfo { endCursor } } }');
    const after = await data(bob, 'query ($after: String) { jobs(after: $after, orderBy: { field: CREATED_AT, direction: ASC }) { nodes { id } } }', {
      after: alicePage.jobs.pageInfo.endCursor,
    });
    expect(after.jobs.nodes.every((job: any) => job.id === jobs.b1.id)).toBe(true);
    const stats = await data(bob, '{ jobStats { total scheduled } queues { counts { total } } }');
    expect(stats.jobStats).toEqual({ total: 1, scheduled: 1 });
    expect(stats.queues.reduce((sum: number, queue: any) => sum + queue.counts.total, 0)).toBe(1);
    // A mutation on another tenant's job answers exactly as on a job that does not exist.
    for (const mutation of ['cancelJob', 'retryJob']) {
      const query = `mutation ($id: ID!) { ${mutation}(id: $id) { job { id } userErrors { code field message } } }`;
      const theirs = (await data(bob, query, { id: jobs.a1.id }))[mutation];
      const missing = (await data(bob, query, { id: random }))[mutation];
      expect(theirs.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['id'], message: `id: no job ${jobs.a1.id}` }]);
      expect(missing.userErrors[0].message.replace(random, jobs.a1.id)).toBe(theirs.userErrors[0].message);
    }
    const minted = await data(bob, 'mutation ($id: ID!) { createJobToken(id: $id) { token userErrors { code } } }', { id: jobs.a1.id });
    expect(minted.createJobToken).toEqual({ token: null, userErrors: [{ code: 'NOT_FOUND' }] });
    expect(await status(jobs.a1.id)).toBe('SCHEDULED');
  });

  it('an :own user sees and changes only its own jobs; a reader of the tenant who writes only its own gets FORBIDDEN', async () => {
    const carols = await data(carol, '{ jobs { nodes { id owner } } jobStats { total } }');
    expect(new Set(carols.jobs.nodes.map((job: any) => job.owner))).toEqual(new Set(['carol']));
    expect(carols.jobStats.total).toBe(carols.jobs.nodes.length);
    expect((await data(carol, 'query ($id: ID!) { job(id: $id) { id } }', { id: jobs.a1.id })).job).toBeNull();
    const cancel = 'mutation ($id: ID!) { cancelJob(id: $id) { job { id status } userErrors { code message } } }';
    expect((await data(carol, cancel, { id: jobs.a1.id })).cancelJob.userErrors[0].code).toBe('NOT_FOUND');
    // dave reads the whole tenant but writes only his own.
    expect((await data(dave, 'query ($id: ID!) { job(id: $id) { owner } }', { id: jobs.a1.id })).job).toEqual({ owner: 'alice' });
    const refused = (await data(dave, cancel, { id: jobs.a1.id })).cancelJob;
    expect(refused.job).toBeNull();
    expect(refused.userErrors[0].code).toBe('FORBIDDEN');
    expect(await status(jobs.a1.id)).toBe('SCHEDULED');
    expect((await data(dave, cancel, { id: jobs.d1.id })).cancelJob.job.status).toBe('CANCELLED');
    expect((await data(carol, cancel, { id: jobs.c1.id })).cancelJob.job.status).toBe('CANCELLED');
  });

  it('an operator key sees every tenant; a key with a tenant sees only it', async () => {
    const all = await data(OPS, '{ jobs(first: 500) { nodes { id tenant owner } } jobStats { total } }');
    const ids = all.jobs.nodes.map((job: any) => job.id);
    for (const job of [jobs.a1, jobs.b1, jobs.c1, jobs.d1]) expect(ids).toContain(job.id);
    const acmeJob = await submit(ACME);
    expect(acmeJob).toMatchObject({ tenant: 'acme', owner: 'acme-backend', submittedBy: 'acme-backend' });
    const acme = await data(ACME, '{ jobs { nodes { id } } }');
    expect(acme.jobs.nodes).toEqual([{ id: acmeJob.id }]);
    const opsJob = await submit(OPS);
    expect(opsJob).toMatchObject({ tenant: null, owner: 'ops' });
    expect((await data(alice, 'query ($id: ID!) { job(id: $id) { id } }', { id: opsJob.id })).job).toBeNull();
    // A user whose subject is the key's name owns nothing of the key's.
    const impostor = await token('acme-backend', 'acme', 'jobs:read:own jobs:write:own');
    expect((await data(impostor, '{ jobs { nodes { id } } }')).jobs.nodes).toEqual([]);
    expect((await data(impostor, 'query ($id: ID!) { job(id: $id) { id } }', { id: acmeJob.id })).job).toBeNull();
  });

  it('subscriptions over WebSocket and SSE carry only the tenant\'s events (only its own for :own)', async () => {
    const bobWs = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(bob) }), EVENTS, { after: '0' });
    const bobSse = subscribeSse<any, any>(app.url, EVENTS, { after: '0' }, bearer(bob));
    const carolWs = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(carol) }), EVENTS, { after: '0' });
    const spyOnAlice = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(bob) }), EVENTS, { filter: { jobId: jobs.a1.id } });
    const watchAlice = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(bob) }), WATCH, { id: jobs.a1.id });
    const watchAliceSse = subscribeSse<any, any>(app.url, WATCH, { id: jobs.a1.id }, bearer(bob));
    for (const feed of [bobWs, bobSse, carolWs]) await feed.until((f) => f.items.length > 0, 15_000, 'the replay');
    // Live events of both tenants while they listen: a job of alice's runs at once and bob's too.
    const live = { a: await submit(alice, { runAt: null }), b: await submit(bob, { runAt: null }), c: await submit(carol, { runAt: null }) };
    await data(OPS, 'mutation ($id: ID!) { cancelJob(id: $id) { job { id } } }', { id: jobs.a1.id });
    for (const feed of [bobWs, bobSse]) await feed.until((f) => seen(f).has(live.b.id), 15_000, "bob's live job");
    await carolWs.until((f) => seen(f).has(live.c.id), 15_000, "carol's live job");
    await watchAlice.until((f) => f.results.length > 0 || f.error !== undefined, 15_000, 'the refusal of jobUpdated');
    await watchAliceSse.until((f) => f.results.length > 0 || f.error !== undefined, 15_000, 'the refusal over SSE');
    const bobs = new Set((await data(OPS, '{ jobs(first: 500) { nodes { id tenant owner } } }')).jobs.nodes.filter((job: any) => job.tenant === 'B').map((job: any) => job.id));
    const carols = new Set((await data(OPS, '{ jobs(first: 500) { nodes { id tenant owner } } }')).jobs.nodes.filter((job: any) => job.owner === 'carol').map((job: any) => job.id));
    for (const feed of [bobWs, bobSse]) expect([...seen(feed)].every((id) => bobs.has(id)), JSON.stringify([...seen(feed)])).toBe(true);
    expect([...seen(carolWs)].every((id) => carols.has(id))).toBe(true);
    expect(seen(carolWs).has(live.a.id)).toBe(false);
    expect(spyOnAlice.items).toEqual([]);
    expect(watchAlice.items).toEqual([]);
    expect(JSON.stringify([watchAlice.results, watchAlice.error])).toContain('NOT_FOUND');
    expect(watchAliceSse.items).toEqual([]);
    expect(JSON.stringify([watchAliceSse.results, watchAliceSse.error])).toContain('NOT_FOUND');
    for (const feed of [bobWs, bobSse, carolWs, spyOnAlice, watchAlice, watchAliceSse]) feed.unsubscribe();
  });

  it('keeps schedules and exports within the tenant', async () => {
    const create = 'mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { schedule { id name } userErrors { code message } } }';
    const input = { name: 'nightly', cron: '0 3 * * *', job: { type: 'echo', payload: {} } };
    const alices = (await data(alice, create, { input })).createSchedule.schedule;
    // The same name in another tenant is no conflict, and says nothing of the first.
    const bobs = (await data(bob, create, { input })).createSchedule.schedule;
    expect(bobs.name).toBe('nightly');
    expect((await data(bob, '{ schedules { id } }')).schedules).toEqual([{ id: bobs.id }]);
    const pause = 'mutation ($id: ID!) { pauseSchedule(id: $id) { schedule { id } userErrors { code } } }';
    expect((await data(bob, pause, { id: alices.id })).pauseSchedule.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    // Names are unique per creator: carol (:own) learns nothing of alice's by choosing the same.
    const carols = (await data(carol, create, { input })).createSchedule;
    expect(carols.userErrors).toEqual([]);
    expect((await data(carol, '{ schedules { id } }')).schedules).toEqual([{ id: carols.schedule.id }]);
    expect((await data(carol, create, { input })).createSchedule.userErrors[0].code).toBe('INVALID_INPUT');
    expect((await data(carol, pause, { id: alices.id })).pauseSchedule.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    expect((await data(dave, pause, { id: alices.id })).pauseSchedule.userErrors).toEqual([{ code: 'FORBIDDEN' }]);
    for (const [who, schedule] of [[alice, alices], [bob, bobs], [carol, carols.schedule]] as const) {
      await data(who, 'mutation ($id: ID!) { deleteSchedule(id: $id) { userErrors { code } } }', { id: schedule.id });
    }

    // bob's export holds bob's jobs only, though it runs on a worker that sees every tenant.
    const exportJob = await submit(bob, { type: 'data.export', payload: { format: 'ndjson' }, runAt: null });
    const done = await waitFor(async () => {
      const { job } = await data(bob, 'query ($id: ID!) { job(id: $id) { status result } }', { id: exportJob.id });
      return ['COMPLETED', 'FAILED'].includes(job.status) ? job : undefined;
    }, 15_000, 'the export');
    expect(done.status).toBe('COMPLETED');
    const rows = (await readFile(done.result.path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(rows.map((row) => row.id)).toContain(jobs.b1.id);
    const tenants = new Set((await data(OPS, '{ jobs(first: 500) { nodes { id tenant } } }')).jobs.nodes.filter((job: any) => job.tenant !== 'B').map((job: any) => job.id));
    expect(rows.filter((row) => tenants.has(row.id))).toEqual([]);
  });

  it('keeps flows within the tenant: another tenant sees no flow, no job of it, no event of it', async () => {
    const SUBMIT_FLOW = 'mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id jobs { id } } userErrors { code } } }';
    const { submitFlow } = await data(alice, SUBMIT_FLOW, { input: { name: 'secret-plan', jobs: [{ key: 'a', job: { type: 'echo', payload: {} } }, { key: 'b', job: { type: 'echo', payload: {} }, dependsOn: ['a'] }] } });
    expect(submitFlow.userErrors).toEqual([]);
    expect((await data(bob, 'query ($id: ID!) { flow(id: $id) { id } }', { id: submitFlow.flow.id })).flow).toBeNull();
    expect((await data(bob, 'mutation ($id: ID!) { cancelFlow(id: $id) { userErrors { code } } }', { id: submitFlow.flow.id })).cancelFlow.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    const spy = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(bob) }), 'subscription ($id: ID!) { flowUpdated(id: $id) { id } }', { id: submitFlow.flow.id });
    await spy.until((f) => f.results.length > 0 || f.error !== undefined, 10_000, 'the refusal');
    expect(spy.items).toEqual([]);
    expect(JSON.stringify([spy.results, spy.error])).toContain('NOT_FOUND');
    expect((await data(alice, 'query ($id: ID!) { flow(id: $id) { jobs { id } } }', { id: submitFlow.flow.id })).flow.jobs).toHaveLength(2);
  });

  it('limits the work of a tenant\'s callers together, leaving other tenants alone', async () => {
    const many = (count: number) => ({ input: Array.from({ length: count }, () => ({ type: 'echo', payload: {} })) });
    const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } } }';
    const [r1, r2] = [await token('r1', 'R', 'jobs:read jobs:write'), await token('r2', 'R', 'jobs:read jobs:write')];
    expect((await data(r1, SUBMIT_MANY, many(30))).submitJobs.jobs).toHaveLength(30);
    const refused = await post(r2, SUBMIT_MANY, many(15));
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.body.errors?.[0]?.message).toContain("this caller's tenant");
    // The refusal counted nothing: 10 more fit under the 40.
    expect((await data(r2, SUBMIT_MANY, many(10))).submitJobs.jobs).toHaveLength(10);
    expect((await data(bob, SUBMIT_MANY, many(5))).submitJobs.jobs).toHaveLength(5);
  });
});

describe('tokens', () => {
  const STATS = '{ jobStats { total } }';

  it('accepts HS256 and RS256 (JWKS) tokens, fetching the keys once and again when they rotate', async () => {
    const before = jwksFetches;
    for (let i = 0; i < 5; i++) expect((await post(await token('u', 'T', 'jobs:read', { alg: 'RS256' }), STATS)).status).toBe(200);
    expect((await post(await token('u', 'T', 'jobs:read'), STATS)).status).toBe(200);
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
    // The provider rotates to key-2: a token with the new kid makes the keys be fetched again.
    served = [rsa[1]!.publicJwk];
    await new Promise((resolve) => setTimeout(resolve, 400));
    const rotated = await token('u', 'T', 'jobs:read', { alg: 'RS256', kid: 'key-2', key: rsa[1]!.privateKey });
    expect((await post(rotated, STATS)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const retired = await post(await token('u', 'T', 'jobs:read', { alg: 'RS256' }), STATS);
    expect(retired.status).toBe(401);
    served = [rsa[0]!.publicJwk, rsa[1]!.publicJwk];
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it('answers 503, not 401, while the identity provider\'s keys cannot be fetched, and recovers', async () => {
    jwksDown = true;
    await new Promise((resolve) => setTimeout(resolve, 400));
    // A kid not seen before makes the keys be fetched, which fails.
    const fresh = await token('u', 'T', 'jobs:read', { alg: 'RS256', kid: 'key-3', key: rsa[2]!.privateKey });
    const { status, body } = await post(fresh, STATS);
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    let closed = 0;
    subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(fresh), onClosed: (code) => (closed = code) }), EVENTS, {});
    await waitFor(async () => (closed ? true : undefined), 10_000, 'the WebSocket to close');
    expect(closed).toBe(1013);
    // Keys fetched before (key-2, since the rotation) still verify their tokens meanwhile.
    expect((await post(await token('u', 'T', 'jobs:read', { alg: 'RS256', kid: 'key-2', key: rsa[1]!.privateKey }), STATS)).status).toBe(200);
    jwksDown = false;
    served = [rsa[0]!.publicJwk, rsa[1]!.publicJwk, { ...rsa[2]!.publicJwk, kid: 'key-3' }];
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await post(fresh, STATS)).status).toBe(200);
    served = [rsa[0]!.publicJwk, rsa[1]!.publicJwk];
  });

  it('refuses expired, not-yet-valid, wrong-issuer, wrong-audience, alg none, confused and malformed tokens over HTTP, WebSocket and SSE', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { sub: 'mallory', tenant: 'A', scope: 'jobs:read jobs:write', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 };
    const refused: [string, string, RegExp][] = [
      ['expired', await token('u', 'A', 'jobs:read', { exp: now() - 60 }), /expired/],
      ['not yet valid', await token('u', 'A', 'jobs:read', { nbf: now() + 120 }), /nbf/],
      ['wrong issuer', await token('u', 'A', 'jobs:read', { iss: 'https://evil.example/' }), /iss/],
      ['wrong audience', await token('u', 'A', 'jobs:read', { aud: 'another-app' }), /aud/],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /none/],
      // Algorithm confusion: HS256 "signed" with the RSA public key the JWKS publishes.
      ['HS256 with the RSA public key', await token('u', 'A', 'jobs:read', { alg: 'HS256', kid: 'key-1', key: new TextEncoder().encode(rsa[0]!.publicPem) }), /signature/],
      ['RS256 signed by another key under a known kid', await token('u', 'A', 'jobs:read', { alg: 'RS256', kid: 'key-1', key: rsa[2]!.privateKey }), /signature/],
      ['RS256 under an unknown kid', await token('u', 'A', 'jobs:read', { alg: 'RS256', kid: 'key-9', key: rsa[2]!.privateKey }), /no key/],
      ['HS256 with another secret', await token('u', 'A', 'jobs:read', { key: new TextEncoder().encode('x'.repeat(40)) }), /signature/],
      ['no tenant claim', await token('u', undefined, 'jobs:read'), /tenant/],
      ['no exp', await token('u', 'A', 'jobs:read', { exp: null }), /exp/],
      ['job token forged with the user secret', await token('u', 'A', 'jobs:read', { kid: 'jobgraph:job', extra: { job: '0190a7c5-0000-7000-8000-000000000000' } }), /signature|claim/],
      ['garbage', 'a.b.c', /malformed/],
    ];
    for (const [what, credential, reason] of refused) {
      const { status, body } = await post(credential, STATS);
      expect(status, what).toBe(401);
      expect(body.errors?.[0]?.extensions?.code, what).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.message, what).toMatch(reason);
      // SSE: the same request asking for an event stream.
      const sse = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: bearer(credential) },
        body: JSON.stringify({ query: EVENTS }),
      });
      expect(sse.status, `${what} over SSE`).toBe(401);
      await sse.body?.cancel();
      let closed = 0;
      const feed = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(credential), onClosed: (code) => (closed = code) }), EVENTS, {});
      await feed.until(() => closed !== 0, 10_000, `the WebSocket of ${what} to close`);
      expect(closed, what).toBe(4403);
      expect(feed.items).toEqual([]);
    }
  });

  it('ends subscriptions with UNAUTHENTICATED when the token expires, and a fresh token resumes with after without a gap', async () => {
    const erin = await token('erin', 'E', 'jobs:read jobs:write');
    const short = await token('erin', 'E', 'jobs:read', { exp: now() + 3 });
    const ws = connectWs(app.url, { authorization: bearer(short) });
    const feed = subscribeWs<any, any>(ws, EVENTS, {});
    const first = await submit(erin, { runAt: null });
    await feed.until((f) => seen(f).has(first.id), 10_000, 'the first job');
    await feed.until((f) => f.error !== undefined, 10_000, 'the end at expiry');
    const [error] = feed.error as { message: string; extensions: { code: string; resumeAfter: string } }[];
    expect(error!.extensions.code).toBe('UNAUTHENTICATED');
    expect(error!.extensions.resumeAfter).toBe(feed.items.at(-1).jobEvents.id);
    // The connection stays, but its token opens nothing more.
    const again = subscribeWs<any, any>(ws, EVENTS, {});
    await again.until((f) => f.error !== undefined || f.results.length > 0, 10_000, 'the refusal');
    expect(JSON.stringify(again.error ?? again.results)).toContain('UNAUTHENTICATED');
    // Events while signed out are not lost: a fresh token resumes after the last one received.
    const gap = await submit(erin, { runAt: null });
    await waitFor(async () => ((await status(gap.id)) === 'COMPLETED' ? true : undefined), 10_000, 'the job in the gap');
    const resumed = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(erin) }), EVENTS, { after: error!.extensions.resumeAfter });
    await resumed.until((f) => f.items.some((item) => item.jobEvents.jobId === gap.id && item.jobEvents.type === 'COMPLETED'), 10_000, 'the gap');
    const ids = [...feed.items, ...resumed.items].map((item) => BigInt(item.jobEvents.id));
    expect(new Set(ids).size).toBe(ids.length);
    resumed.unsubscribe();
    await ws.dispose();
  });

  it('the typed client refreshes its token before each reconnect and keeps watching', async () => {
    let minted = 0;
    const client = createJobgraphClient({
      url: app.url,
      webSocketImpl: WebSocket,
      token: () => {
        minted++;
        return token('frank', 'F', 'jobs:read jobs:write', { exp: now() + 2 });
      },
    });
    try {
      const job = await client.submitJob({ type: 'echo', payload: { hello: 'frank' }, runAt: new Date(Date.now() + 5000).toISOString() });
      expect(job).toMatchObject({ status: 'SCHEDULED' });
      const finished = await client.waitForJob(job.id, 20_000);
      expect(finished.status).toBe('COMPLETED');
      // One for the submit, one for the first connection, at least one more after an expiry.
      expect(minted).toBeGreaterThanOrEqual(3);
    } finally {
      await client.close();
    }
  });
});

describe('job tokens', () => {
  it('let a browser read and watch one job, and nothing else', async () => {
    const alice = await token('alice', 'A', 'jobs:read jobs:write');
    const other = await submit(alice);
    const job = await submit(alice, { runAt: new Date(Date.now() + 1500).toISOString() });
    const { createJobToken } = await data(alice, 'mutation ($id: ID!) { createJobToken(id: $id, ttlSeconds: 600) { token expiresAt job { id } userErrors { code } } }', { id: job.id });
    expect(createJobToken.userErrors).toEqual([]);
    expect(new Date(createJobToken.expiresAt).getTime() - Date.now()).toBeGreaterThan(590_000);
    const jobToken = createJobToken.token as string;

    expect((await data(jobToken, 'query ($id: ID!) { job(id: $id) { id tenant } }', { id: job.id })).job).toEqual({ id: job.id, tenant: 'A' });
    expect((await data(jobToken, 'query ($id: ID!) { job(id: $id) { id } }', { id: other.id })).job).toBeNull();
    expect((await data(jobToken, '{ jobs { nodes { id } } jobStats { total } schedules { id } }'))).toEqual({ jobs: { nodes: [{ id: job.id }] }, jobStats: { total: 1 }, schedules: [] });
    const write = await post(jobToken, 'mutation ($id: ID!) { cancelJob(id: $id) { job { id } } }', { id: job.id });
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const watch = subscribeSse<any, any>(app.url, WATCH, { id: job.id }, bearer(jobToken));
    const events = subscribeWs<any, any>(connectWs(app.url, { authorization: bearer(jobToken) }), EVENTS, {});
    await watch.until((f) => f.items.some((item) => item.jobUpdated.status === 'COMPLETED'), 15_000, 'the job to complete');
    await events.until((f) => f.items.some((item) => item.jobEvents.type === 'COMPLETED'), 15_000, 'its events');
    await submit(alice, { runAt: null });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...seen(events)]).toEqual([job.id]);
    watch.unsubscribe();
    events.unsubscribe();

    const tooLong = await data(alice, 'mutation ($id: ID!) { createJobToken(id: $id, ttlSeconds: 999999) { token userErrors { code field } } }', { id: job.id });
    expect(tooLong.createJobToken).toEqual({ token: null, userErrors: [{ code: 'INVALID_INPUT', field: ['ttlSeconds'] }] });
  });
});

describe('configuration', () => {
  it('reads a tenant in API_KEYS and refuses unsafe settings', () => {
    const { keys, problems } = parseApiKeys('a:aaaaaaaaaaaaaaaa:jobs:read,jobs:write:acme;b:bbbbbbbbbbbbbbbb:jobs:read:own:acme;c:cccccccccccccccc:admin');
    expect(problems).toEqual([]);
    expect(keys.map(({ name, scopes, tenant }) => ({ name, scopes, tenant }))).toEqual([
      { name: 'a', scopes: ['jobs:read', 'jobs:write'], tenant: 'acme' },
      { name: 'b', scopes: ['jobs:read:own'], tenant: 'acme' },
      { name: 'c', scopes: ['admin'], tenant: null },
    ]);
    expect(parseApiKeys('t:tttttttttttttttt:admin:acme').problems[0]).toMatch(/cannot hold admin/);
    // A tenant named "own" would silently make an operator key: refused instead.
    expect(parseApiKeys('o:oooooooooooooooo:jobs:read,jobs:write:own').problems[0]).toMatch(/need a tenant/);
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(refused({ JWT_JWKS_URL: 'https://idp.example/jwks' })).toMatch(/JWT_ISSUER and JWT_AUDIENCE/);
    expect(refused({ JWT_SECRET: HS_SECRET, JOB_TOKEN_SECRET: HS_SECRET })).toMatch(/must differ/);
    expect(refused({ JWT_SECRET: 'short' })).toMatch(/JWT_SECRET: at least 32/);
    expect(refused({ JWT_SECRET: 'short' })).not.toContain('short"');
    expect(refused({ NODE_ENV: 'production', JWT_SECRET: HS_SECRET })).toBe('');
  });
});
