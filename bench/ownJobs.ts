// Two of `npm run bench:fanout`'s shapes, in one round on one service: N WebSocket
// clients connect at a paced rate (a reconnect storm after a deploy), each subscribes to
// jobUpdated of its own job, and the jobs (scheduled ahead, one per client) complete at a
// paced rate. What it reports: how many connections were accepted, refused (and with
// which close code) or reset; and the time from each job's finishedAt to the COMPLETED
// update reaching its client.
import { WebSocket } from 'ws';
import type { ServiceClient } from './e2e.js';
import { latency, sleep, type Latency } from './stats.js';

const SUBMIT_MANY = 'mutation ($input: [SubmitJobInput!]!) { submitJobs(input: $input) { jobs { id } userErrors { message } } }';
const WATCH = 'subscription ($id: ID!) { jobUpdated(id: $id) { id status finishedAt } }';

export interface StormReport {
  accepted: number;
  /** Errors before the acknowledgement, by message (ECONNRESET, ...). */
  failed: Record<string, number>;
  /** Closes before the acknowledgement, by close code. */
  refused: Record<string, number>;
  /** Clients whose COMPLETED update never came. */
  missing: number;
  latency: Latency;
}

interface Watcher {
  socket: WebSocket;
  arrivedMs: number | null;
  finishedAt: number | null;
}

function watch(url: string, jobId: string, outcome: (result: 'accepted' | { failed: string } | { refused: string }) => void): Watcher {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const watcher: Watcher = { socket, arrivedMs: null, finishedAt: null };
  let acknowledged = false;
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
  socket.on('error', (error) => {
    if (!acknowledged) outcome({ failed: (error as NodeJS.ErrnoException).code ?? error.message });
    acknowledged = true; // counted once
  });
  socket.on('close', (code) => {
    if (!acknowledged) outcome({ refused: String(code) });
    acknowledged = true;
  });
  socket.on('message', (raw) => {
    const text = raw.toString();
    if (!acknowledged) {
      if ((JSON.parse(text) as { type: string }).type !== 'connection_ack') return;
      acknowledged = true;
      outcome('accepted');
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: WATCH, variables: { id: jobId } } }));
      return;
    }
    if (watcher.arrivedMs === null && text.includes('"status":"COMPLETED"')) {
      watcher.arrivedMs = Date.now();
      const finishedAt = /"finishedAt":"([^"]+)"/.exec(text)?.[1];
      watcher.finishedAt = finishedAt ? Date.parse(finishedAt) : null;
    }
  });
  return watcher;
}

/** `clients` connect at `connectsPerSecond`; their jobs complete at `completionsPerSecond`, starting once all have connected. */
export async function ownJobsRound(service: ServiceClient, clients: number, connectsPerSecond: number, completionsPerSecond: number): Promise<StormReport> {
  // The jobs first, scheduled to run one after another once every client is connected.
  const connectMs = (clients / connectsPerSecond) * 1000;
  const firstRunAt = Date.now() + connectMs + 15_000;
  const ids: string[] = [];
  for (let from = 0; from < clients; from += 500) {
    const input = Array.from({ length: Math.min(500, clients - from) }, (_, offset) => ({
      type: 'echo',
      payload: { n: from + offset },
      runAt: new Date(firstRunAt + ((from + offset) * 1000) / completionsPerSecond).toISOString(),
    }));
    const { submitJobs } = await service.post<{ submitJobs: { jobs: { id: string }[]; userErrors: unknown[] } }>(SUBMIT_MANY, { input });
    if (submitJobs.userErrors.length) throw new Error(JSON.stringify(submitJobs.userErrors));
    ids.push(...submitJobs.jobs.map((job) => job.id));
  }
  const report: StormReport = { accepted: 0, failed: {}, refused: {}, missing: 0, latency: latency([]) };
  const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  const watchers: Watcher[] = [];
  // Connects paced in steps of 10 ms.
  const perStep = Math.max(1, Math.round(connectsPerSecond / 100));
  const began = performance.now();
  for (let index = 0; index < clients; index += perStep) {
    const due = began + (index / connectsPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (let client = index; client < Math.min(clients, index + perStep); client++) {
      watchers.push(watch(service.url, ids[client]!, (result) => (result === 'accepted' ? report.accepted++ : 'failed' in result ? count(report.failed, result.failed) : count(report.refused, result.refused))));
    }
  }
  // Until every job has run, and a little more.
  const deadline = firstRunAt + (clients / completionsPerSecond) * 1000 + 15_000;
  while (Date.now() < deadline && watchers.some((watcher) => watcher.arrivedMs === null && watcher.socket.readyState === WebSocket.OPEN)) await sleep(200);
  for (const watcher of watchers) watcher.socket.terminate();
  const samples = watchers.flatMap((watcher) => (watcher.arrivedMs !== null && watcher.finishedAt !== null ? [watcher.arrivedMs - watcher.finishedAt] : []));
  report.missing = watchers.filter((watcher) => watcher.arrivedMs === null).length;
  report.latency = latency(samples);
  return report;
}
