// ROLE=all in one process on two cores: the API runs on the main thread and the workers
// in a worker thread, each with its own event loop, clients and pools. One job costs the
// API side (HTTP, GraphQL, insert, queue add, fan-out) about as much CPU as the worker
// side (start, handler, complete), and one thread doing both was the service's limit.
// It stays one process: one PID to supervise, and a kill takes both halves down.
//
// The main thread owns the process: it starts the thread, merges the thread's metrics
// into /metrics, and stops it on shutdown. The thread never sees a signal.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { startTracing } from './tracing/tracing.js';

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
type FromThread = { kind: 'ready' } | { kind: 'metrics'; id: number; metrics: Metrics };
type ToThread = { kind: 'metrics'; id: number } | { kind: 'stop' };

/** How long the main thread waits for its workers' metrics before it answers without them. */
const METRICS_TIMEOUT_MS = 2000;

export interface WorkerThread {
  /** The thread's metrics, to merge into the process's. */
  metrics(): Promise<Metrics>;
  /** Stops the workers (with their grace period) and ends the thread. */
  stop(): Promise<void>;
}

/**
 * Runs this module in a new thread. Run from source (tsx), the thread has no TypeScript
 * loader of its own on Node 20, so it registers tsx's before importing the module.
 */
function startThread(url: URL, data: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: data });
}

/** Starts the workers in a thread; resolves once they take jobs. A thread that dies ends the process. */
export async function startWorkerThread(logger: Logger): Promise<WorkerThread> {
  const thread = startThread(new URL(import.meta.url), { jobgraphWorkers: true, terminal: process.stdout.isTTY === true });
  const waiting = new Map<number, (metrics: Metrics) => void>();
  let nextId = 0;
  let stopping = false;
  // The thread ends itself once its workers have stopped: its exit is the answer to stop().
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    thread.on('message', (message: FromThread) => {
      if (message.kind === 'ready') resolve();
      else waiting.get(message.id)?.(message.metrics);
    });
    thread.on('error', (error) => {
      logger.fatal({ err: error }, 'the worker thread failed');
      reject(error);
      process.exit(1);
    });
    thread.on('exit', (code) => {
      if (stopping) return;
      logger.fatal({ code }, 'the worker thread exited');
      process.exit(1);
    });
  });
  await ready;
  const send = (message: ToThread) => thread.postMessage(message);
  return {
    metrics() {
      const id = nextId++;
      return new Promise<Metrics>((resolve) => {
        const timer = setTimeout(() => finish([]), METRICS_TIMEOUT_MS);
        const finish = (metrics: Metrics) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(metrics);
        };
        waiting.set(id, finish);
        send({ kind: 'metrics', id });
      });
    },
    async stop() {
      stopping = true;
      send({ kind: 'stop' });
      await exited;
    },
  };
}

/** The thread's side: the same composition root, as ROLE=worker, without an HTTP server. */
async function runThread(): Promise<void> {
  const port = parentPort!;
  const config = loadConfig({ ...process.env, ROLE: 'worker' });
  // Tracing first (its own provider in this thread), then the app it instruments.
  const tracing = await startTracing(config, 'workers');
  const { startApp } = await import('./app.js');
  // Its lines go to the process's stdout: pretty there when that is a terminal, as the main thread's.
  const { terminal } = workerData as { terminal?: boolean };
  const app = await startApp(config, { listen: false, logger: createLogger(config, undefined, terminal === true) });
  port.on('message', (message: ToThread) => {
    if (message.kind === 'metrics') {
      void app.metrics.getMetricsAsJSON().then((metrics) => port.postMessage({ kind: 'metrics', id: message.id, metrics } satisfies FromThread));
    } else {
      void app
        .stop()
        .catch((error: unknown) => app.logger.error({ err: error }, 'the workers did not stop cleanly'))
        .then(() => tracing?.stop().catch(() => undefined))
        .then(() => process.exit(0)); // in a worker thread: ends this thread only
    }
  });
  port.postMessage({ kind: 'ready' } satisfies FromThread);
}

if (!isMainThread && (workerData as { jobgraphWorkers?: boolean } | null)?.jobgraphWorkers) {
  void runThread();
}
