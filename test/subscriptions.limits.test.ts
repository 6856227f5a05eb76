// A slow subscriber is cut off with a resumable error without holding up anyone else,
// and shutdown closes live connections properly.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestApp, waitFor, type TestApp } from './helpers/app.js';
import { connectWs, subscribeSse, subscribeWs, wsUrl } from './helpers/live.js';
import { GetJob, SubmitJob, SubmitJobs, WatchJob } from './operations.js';

// Room for the bursts a fast client meets (a batch of 20 is 20 CREATED events at once).
const BUFFER = 100;
const LIGHT = 'subscription ($after: ID) { jobEvents(after: $after) { id type jobId } }';

interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: { data?: { jobEvents: { id: string } } } | { message: string; extensions?: { code?: string; resumeAfter?: string } }[];
}

/** A graphql-transport-ws client spoken by hand, so the test can stop reading its socket. */
async function rawSubscriber(url: string, query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(wsUrl(url), 'graphql-transport-ws');
  const messages: ProtocolMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as ProtocolMessage));
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor(async () => (messages.some((m) => m.type === 'connection_ack') ? true : undefined));
  socket.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query, variables } }));
  const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return { socket, messages, pause: () => tcp.pause(), resume: () => tcp.resume() };
}

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ SUBSCRIPTION_BUFFER_SIZE: String(BUFFER), WORKER_CONCURRENCY: '20' });
});

afterAll(async () => {
  await app?.stop();
});

async function finishedCursor(): Promise<string> {
  const { submitJob } = await app.data(SubmitJob, { input: { type: 'echo', payload: 'cursor' } });
  const job = await waitFor(async () => {
    const { job: current } = await app.data(GetJob, { id: submitJob.job!.id });
    return current?.status === 'COMPLETED' ? current : undefined;
  });
  return job.events.nodes.at(-1)!.id;
}

describe('a slow subscriber', () => {
  it('is ended with SUBSCRIBER_TOO_SLOW and where to resume, while others get everything', { timeout: 120_000 }, async () => {
    const after = await finishedCursor();
    // Big events (each carries its job's 200 KB payload ten times) fill the socket's
    // buffers after a few dozen.
    const copies = Array.from({ length: 10 }, (_, index) => `c${index}: job { payload }`).join(' ');
    const slow = await rawSubscriber(app.url, `subscription ($after: ID) { jobEvents(after: $after) { id ${copies} } }`, { after });
    // The fast one asks only for the event's own fields, which need no database read.
    const fast = subscribeWs<{ jobEvents: { id: string } }, { after: string }>(connectWs(app.url), LIGHT, { after });
    slow.pause();

    const payload = { blob: 'x'.repeat(200_000) };
    const jobIds: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const { submitJobs } = await app.data(SubmitJobs, { input: Array.from({ length: 20 }, () => ({ type: 'echo', payload })) });
      jobIds.push(...submitJobs.jobs.map((job) => job.id));
    }
    const total = jobIds.length * 3; // CREATED, STARTED, COMPLETED
    await fast.until((f) => f.items.length >= total, 60_000, `all ${total} events for the fast subscriber`);
    expect(fast.items.length).toBe(total);

    slow.resume();
    await waitFor(async () => (slow.messages.some((m) => m.id === 'slow' && m.type !== 'next') ? true : undefined), 30_000, 'the end of the slow subscription');
    const nexts = slow.messages.filter((m) => m.type === 'next');
    const end = slow.messages.find((m) => m.id === 'slow' && m.type === 'error')!;
    expect(end, JSON.stringify(slow.messages.filter((m) => m.type !== 'next'))).toBeDefined();
    const [error] = end.payload as { message: string; extensions: { code: string; resumeAfter: string } }[];
    const received = nexts.map((m) => (m.payload as { data: { jobEvents: { id: string } } }).data.jobEvents.id);
    expect(error!.extensions.code).toBe('SUBSCRIBER_TOO_SLOW');
    expect(error!.message).toContain(`after: "${received.at(-1)}"`);
    expect(error!.extensions.resumeAfter).toBe(received.at(-1));
    expect(received.length).toBeLessThan(total);
    // The connection stays usable, and resuming where it said loses nothing.
    const resumed = subscribeWs<{ jobEvents: { id: string } }, { after: string }>(connectWs(app.url), LIGHT, { after: error!.extensions.resumeAfter });
    await resumed.until((f) => received.length + f.items.length >= total, 30_000, 'the rest');
    const all = [...received, ...resumed.items.map((item) => item.jobEvents.id)];
    expect(all).toEqual(fast.items.map((item) => item.jobEvents.id));
    expect(slow.socket.readyState).toBe(WebSocket.OPEN);
    slow.socket.close();
    fast.unsubscribe();
    resumed.unsubscribe();
  });
});

describe('shutdown', () => {
  it('closes WebSockets with 1001 and ends SSE streams before stopping', async () => {
    const own = await startTestApp();
    const { submitJob } = await own.data(SubmitJob, { input: { type: 'sleep', payload: { ms: 60_000 } } });
    let closeCode: number | undefined;
    const client = connectWs(own.url, { onClosed: (code) => (closeCode = code) });
    const overWs = subscribeWs(client, WatchJob, { id: submitJob.job!.id });
    const overSse = subscribeSse(own.url, WatchJob, { id: submitJob.job!.id });
    await overWs.until((f) => f.items.length > 0);
    await overSse.until((f) => f.items.length > 0);

    await own.stop();
    expect(closeCode).toBe(1001);
    await overSse.until((f) => f.completed || f.error !== undefined, 5000, 'the SSE stream to end');
    await client.dispose();
  });
});
