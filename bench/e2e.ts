// The service measured as clients use it: submitJobs/submitJob over HTTP, completion
// seen as COMPLETED events on a graphql-ws subscription.
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { latency, paced, sleep, type Latency } from './stats.js';

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { message } } }';
const SUBMIT_ONE = 'mutation ($input: SubmitJobInput!) { submitJob(input: $input) { job { id } userErrors { message } } }';
const COMPLETED = 'subscription { jobEvents(filter: { eventType: [COMPLETED] }) { id jobId createdAt } }';

export class ServiceClient {
  constructor(readonly url: string) {}

  async post<T>(query: string, variables: unknown): Promise<T> {
    const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (!body.data || body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  ws(): Client {
    return createClient({ url: this.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  }

  /** Calls `onEvent` for every COMPLETED event; resolves once the subscription is live. */
  async watchCompleted(client: Client, onEvent: (event: { id: string; jobId: string; createdAt: string }) => void): Promise<() => void> {
    const stop = client.subscribe<{ jobEvents: { id: string; jobId: string; createdAt: string } }>(
      { query: COMPLETED },
      { next: ({ data }) => data && onEvent(data.jobEvents), error: (error) => console.error('subscription failed', error), complete: () => undefined },
    );
    // There is no acknowledgement of a subscribe in the protocol: probe until one arrives.
    let live = false;
    const seen = onEvent;
    onEvent = () => (live = true);
    const probe = setInterval(() => void this.post(SUBMIT_ONE, { input: { type: 'echo', payload: 'probe' } }), 50);
    while (!live) await sleep(10);
    clearInterval(probe);
    onEvent = seen;
    return stop;
  }
}

/** Jobs per second end to end: `count` echo jobs, batches of 100, `inFlight` requests at once. */
export async function e2eThroughput(service: ServiceClient, count: number, inFlight: number, type = 'echo'): Promise<number> {
  const client = service.ws();
  const ours = new Set<string>();
  let completed = 0;
  const early = new Set<string>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const count1 = (jobId: string) => {
    if (!ours.has(jobId)) return early.add(jobId);
    if (++completed === count) finish();
  };
  const stop = await service.watchCompleted(client, (event) => count1(event.jobId));
  await sleep(200); // let the probes drain
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const size = Math.min(100, count - next);
      next += size;
      const input = Array.from({ length: size }, (_, index) => ({ type, payload: { index } }));
      const { submitJobs } = await service.post<{ submitJobs: { jobs: { id: string }[] } }>(SUBMIT_MANY, { input });
      for (const job of submitJobs.jobs) {
        ours.add(job.id);
        if (early.delete(job.id) && ++completed === count) finish();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  stop();
  await client.dispose();
  return count / seconds;
}

/** Send-to-COMPLETED latency of single submitJob calls at a steady rate. */
export async function e2eLatency(service: ServiceClient, count: number, perSecond: number, type = 'echo'): Promise<Latency> {
  const client = service.ws();
  const completedAt = new Map<string, number>();
  const sentAt: number[] = [];
  const ids: (string | undefined)[] = [];
  const stop = await service.watchCompleted(client, (event) => completedAt.set(event.jobId, performance.now()));
  await sleep(200);
  const responses: Promise<void>[] = [];
  await paced(count, perSecond, (index) => {
    sentAt[index] = performance.now();
    responses.push(
      service.post<{ submitJob: { job: { id: string } } }>(SUBMIT_ONE, { input: { type, payload: { index } } }).then(({ submitJob }) => {
        ids[index] = submitJob.job.id;
      }),
    );
  });
  await Promise.all(responses);
  const deadline = Date.now() + 30_000;
  while (ids.some((id) => !completedAt.has(id as string)) && Date.now() < deadline) await sleep(20);
  stop();
  await client.dispose();
  return latency(ids.map((id, index) => (completedAt.get(id as string) ?? Number.NaN) - (sentAt[index] as number)).filter(Number.isFinite));
}

/**
 * A subscriber that speaks graphql-transport-ws itself over a bare `ws` socket. The
 * fan-out run holds thousands of them in this one process, on the cores the service
 * uses: graphql-ws's client costs several times more per message, and that time would
 * be counted as the service's latency.
 */
function lightSubscriber(url: string, query: string, onNext: (payload: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('error', reject);
    socket.on('message', (raw) => {
      const text = raw.toString();
      // Events arrive as {"id":"1","type":"next","payload":...}; anything else is rare.
      if (text.startsWith('{"id":"1","type":"next"')) return onNext(text);
      const message = JSON.parse(text) as { type: string };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
        resolve(socket);
      } else if (message.type === 'error') reject(new Error(text));
    });
  });
}

/** Commit-to-arrival time of COMPLETED events at each of `subscribers` WebSocket clients. */
/** Clients connecting at once: thousands of real clients do not all connect in the same millisecond. */
const CONNECT_WAVE = 500;
const FAN_OUT_QUERY = 'subscription { jobEvents(filter: { eventType: [COMPLETED], type: ["echo"] }) { id createdAt job { id status } } }';

/** One event a second: each measures how long one event takes to reach every subscriber, not how many a second can. */
const FAN_OUT_INTERVAL_MS = 1000;

export async function fanOut(service: ServiceClient, subscribers: number, events: number): Promise<Latency> {
  // Arrival times are taken as messages come; they are read after the round.
  const arrivals: { at: number; text: string }[] = [];
  const counts = new Map<string, number>();
  let measuring = false;
  const onNext = (text: string) => {
    if (measuring) arrivals.push({ at: Date.now(), text });
    else {
      const id = /"jobEvents":\{"id":"(\d+)"/.exec(text)?.[1] ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  };
  const sockets: WebSocket[] = [];
  for (let wave = 0; wave < subscribers; wave += CONNECT_WAVE) {
    const size = Math.min(CONNECT_WAVE, subscribers - wave);
    sockets.push(...(await Promise.all(Array.from({ length: size }, () => lightSubscriber(service.url, FAN_OUT_QUERY, onNext)))));
  }
  // Warm up until one event reaches every subscriber: they are all live then.
  for (let tries = 0; ; tries++) {
    if (tries === 60) throw new Error(`after 30 s, no event had reached all ${subscribers} subscribers`);
    await service.post(SUBMIT_ONE, { input: { type: 'echo', payload: 'warm' } });
    await sleep(500);
    if ([...counts.values()].some((count) => count === subscribers)) break;
  }
  await sleep(500);
  measuring = true;
  for (let index = 0; index < events; index++) {
    await service.post(SUBMIT_ONE, { input: { type: 'echo', payload: { index } } });
    await sleep(FAN_OUT_INTERVAL_MS);
  }
  const deadline = Date.now() + 20_000;
  while (arrivals.length < subscribers * events && Date.now() < deadline) await sleep(50);
  for (const socket of sockets) socket.close();
  const samples = arrivals.map(({ at, text }) => {
    const { payload } = JSON.parse(text) as { payload: { data: { jobEvents: { createdAt: string } } } };
    return at - Date.parse(payload.data.jobEvents.createdAt);
  });
  return latency(samples);
}
