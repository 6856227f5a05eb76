// The composition root: builds every part once from the configuration, wires them, and
// owns the one ordered shutdown path. index.ts only runs it; tests build it in-process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { builtInHandlers, HandlerRegistry } from './handlers/registry.js';
import type { JobHandler } from './handlers/handler.js';
import { EventBus } from './events/bus.js';
import { EventHub } from './events/hub.js';
import { createHttpServer } from './http/server.js';
import { attachWebSockets } from './http/websocket.js';
import { createGraphQLServer } from './http/yoga.js';
import { JobControl } from './jobs/control.js';
import { JobQueries } from './jobs/queries.js';
import { JobStateMachine } from './jobs/stateMachine.js';
import { JobSubmitter } from './jobs/submit.js';
import { createLogger, type Logger } from './logger.js';
import { CancelSignals } from './queue/cancellation.js';
import { JobQueues } from './queue/queues.js';
import { requeueWaiting } from './queue/sweep.js';
import { JobWorkers } from './queue/worker.js';

const CLOSE_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}

/**
 * Stops accepting connections and waits for open requests. Keep-alive connections
 * become idle only once their last response ends (an SSE stream ends just before), so
 * idle ones are closed until none is left, and all of them after `timeoutMs`.
 */
async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweep);
  clearTimeout(force);
}

export interface App {
  /** The port the HTTP server listens on (useful with PORT=0). */
  readonly port: number;
  readonly logger: Logger;
  /** Stops in order: live clients, HTTP, workers (with the grace period), event bus, queues, Redis, PostgreSQL. Idempotent. */
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Handlers beyond the built-in ones (tests add their own). */
  handlers?: JobHandler[];
  logger?: Logger;
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  const serveApi = config.ROLE !== 'worker';
  const runWorkers = config.ROLE !== 'api';

  await migrate(config.DATABASE_URL, logger);
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  // BullMQ needs maxRetriesPerRequest: null so a blocked worker waits out a Redis outage.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));

  const registry = new HandlerRegistry([...builtInHandlers, ...(options.handlers ?? [])]);
  // Every committed change goes out on the bus, whichever process made it.
  const bus = new EventBus(redis, `${config.QUEUE_PREFIX}:events`, logger);
  const stateMachine = new JobStateMachine(db, (changes) => bus.publish(changes));
  const queues = new JobQueues(redis, config.QUEUE_PREFIX);
  const cancelSignals = new CancelSignals(redis, `${config.QUEUE_PREFIX}:cancel`);
  const queries = new JobQueries(db);
  const hub = serveApi ? new EventHub(bus, queries, logger, { pollMs: config.EVENTS_POLL_MS }) : undefined;
  await hub?.start();

  let workers: JobWorkers | undefined;
  if (runWorkers) {
    workers = new JobWorkers(
      { db, stateMachine, registry, cancelSignals, connection: redis, logger },
      { queues: config.QUEUES, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
    );
    await workers.start();
    const sweep = () => requeueWaiting(db, queues, logger).catch((error: unknown) => logger.error({ err: error }, 'requeue sweep failed'));
    await sweep();
    // After a reconnect, Redis may have restarted empty.
    redis.on('ready', () => void sweep());
  }

  const yoga = hub
    ? createGraphQLServer({
        config,
        logger,
        registry,
        submitter: new JobSubmitter({ config, db, registry, stateMachine, queues, logger }),
        control: new JobControl({ db, stateMachine, queues, cancelSignals, logger }),
        queries,
        streams: { hub, queries },
      })
    : null;
  const server = createHttpServer(
    yoga,
    { postgresql: () => db.$queryRaw`SELECT 1`, redis: () => redis.ping() },
    logger,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const webSockets = yoga ? attachWebSockets(server, yoga, config.MAX_BODY_BYTES) : undefined;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, role: config.ROLE, queues: config.QUEUES }, `jobgraph listening on http://localhost:${port}/graphql`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Live clients first: WebSockets close with 1001, SSE streams end.
      await webSockets?.close();
      await hub?.close();
      await closeServer(server, CLOSE_TIMEOUT_MS);
      await workers?.close(config.SHUTDOWN_GRACE_MS);
      await bus.close();
      // With Redis unreachable, a polite close would wait for it forever.
      if (redis.status === 'ready') {
        await withTimeout(queues.close(), CLOSE_TIMEOUT_MS);
        await withTimeout(redis.quit(), CLOSE_TIMEOUT_MS).catch(() => undefined);
      }
      redis.disconnect();
      await db.$disconnect();
      logger.info('jobgraph stopped');
    })());

  return { port, logger, stop };
}
