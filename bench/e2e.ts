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
export async function e2eThroughput(service: ServiceClient, count: number, inFlight: number): Promise<number> {
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
      const input = Array.from({ length: size }, (_, index) => ({ type: 'echo', payload: { index } }));
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
export async function e2eLatency(service: ServiceClient, count: number, perSecond: number): Promise<Latency> {
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
      service.post<{ submitJob: { job: { id: string } } }>(SUBMIT_ONE, { input: { type: 'echo', payload: { index } } }).then(({ submitJob }) => {
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

/** Commit-to-arrival time of COMPLETED events at each of `subscribers` WebSocket clients. */
/** Clients connecting at once: thousands of real clients do not all connect in the same millisecond. */
const CONNECT_WAVE = 500;

export async function fanOut(service: ServiceClient, subscribers: number, events: number): Promise<Latency> {
  const clients: Client[] = [];
  for (let wave = 0; wave < subscribers; wave += CONNECT_WAVE) {
    const batch = Array.from({ length: Math.min(CONNECT_WAVE, subscribers - wave) }, () => service.ws());
    await Promise.all(batch.map((client) => new Promise<void>((resolve) => client.on('connected', () => resolve()))));
    clients.push(...batch);
  }
  const samples: number[] = [];
  const received = new Map<string, number>();
  let measuring = false;
  const stops: (() => void)[] = [];
  for (const client of clients) {
    stops.push(
      client.subscribe<{ jobEvents: { id: string; createdAt: string } }>(
        // What a dashboard asks for: the event, and its job as it is now (one shared read per event).
        { query: 'subscription { jobEvents(filter: { eventType: [COMPLETED], type: ["echo"] }) { id createdAt job { id status } } }' },
        {
          next: ({ data }) => {
            if (!data) return;
            received.set(data.jobEvents.id, (received.get(data.jobEvents.id) ?? 0) + 1);
            if (measuring) samples.push(Date.now() - Date.parse(data.jobEvents.createdAt));
          },
          error: (error) => console.error('fan-out subscriber failed', error),
          complete: () => undefined,
        },
      ),
    );
  }
  // Warm up until one event reaches every subscriber: they are all live then.
  for (let tries = 0; ; tries++) {
    if (tries === 60) throw new Error(`after 30 s, no event had reached all ${subscribers} subscribers`);
    const { submitJob } = await service.post<{ submitJob: { job: { id: string } } }>(SUBMIT_ONE, { input: { type: 'echo', payload: 'warm' } });
    void submitJob;
    await sleep(500);
    if ([...received.values()].some((count) => count === subscribers)) break;
  }
  await sleep(500);
  measuring = true;
  for (let index = 0; index < events; index++) {
    await service.post(SUBMIT_ONE, { input: { type: 'echo', payload: { index } } });
    await sleep(200);
  }
  const deadline = Date.now() + 20_000;
  while (samples.length < subscribers * events && Date.now() < deadline) await sleep(50);
  for (const stop of stops) stop();
  await Promise.all(clients.map((client) => client.dispose()));
  return latency(samples);
}
