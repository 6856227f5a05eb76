// The composition root: builds every part once from the configuration, wires them, and
// owns the one ordered shutdown path. index.ts only runs it; tests build it in-process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { ApiKeys } from './auth/apiKeys.js';
import { Authenticator } from './auth/authenticate.js';
import { WorkRateLimit } from './auth/rateLimit.js';
import { Tokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { createDb } from './db/client.js';
import { migrateWhenReachable } from './db/migrate.js';
import { EventBus } from './events/bus.js';
import { FlowSnapshots } from './events/flowSnapshots.js';
import { EventHub } from './events/hub.js';
import { JobSnapshots } from './events/snapshots.js';
import { OutputDir } from './files/outputDir.js';
import type { JobHandler } from './handlers/handler.js';
import { JobTypeCatalog } from './handlers/catalog.js';
import { loadHandlers } from './handlers/load.js';
import { builtInHandlers, HandlerRegistry } from './handlers/registry.js';
import { createHttpServer } from './http/server.js';
import { SharedSubscriptions } from './http/sharedSubscriptions.js';
import { attachWebSockets } from './http/websocket.js';
import { createGraphQLServer } from './http/yoga.js';
import { JobActions } from './jobs/actions.js';
import { BulkActions } from './jobs/bulk.js';
import { JobLifecycle } from './jobs/lifecycle.js';
import { JobSubmissions } from './jobs/submit.js';
import { createLogger, type Logger } from './logger.js';
import { Heartbeat } from './maintenance/heartbeat.js';
import { Periodic } from './maintenance/periodic.js';
import { Pruner } from './maintenance/pruner.js';
import { Reconciler } from './maintenance/reconciler.js';
import { flowSweep, outputSweep, slotLeases } from './maintenance/tasks.js';
import { Metrics } from './metrics/metrics.js';
import { AddressPolicy } from './net/allowList.js';
import { guardedFetch } from './net/fetch.js';
import { QueueSettings } from './queues/settings.js';
import { CancelSignals } from './redis/cancelSignals.js';
import { connectRedis } from './redis/connection.js';
import { JobQueues } from './redis/queues.js';
import { TenantSlots } from './redis/tenantSlots.js';
import { within } from './redis/within.js';
import { liveWorkers } from './redis/workers.js';
import { RemoteWorkers } from './remote/workers.js';
import { Schedules } from './schedules/schedules.js';
import type { LogLevel } from './store/logs.js';
import { JobQueries } from './store/queries.js';
import { JobLogs } from './worker/logs.js';
import { JobWorkers, localRunner, type WorkerDeps } from './worker/worker.js';

const CLOSE_TIMEOUT_MS = 5000;

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

export interface AppOptions {
  /** Handlers beyond the built-in ones (tests add their own). */
  handlers?: JobHandler[];
  logger?: Logger;
  /** False for workers in a thread of an API process: that process serves /health and /metrics. */
  listen?: boolean;
  /** Metrics of other threads of this process, merged into /metrics (workerThread.ts). */
  moreMetrics?: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}

/** Connections the kernel holds for this process before it accepts them. */
const LISTEN_BACKLOG = 4096;

export interface App {
  /** The port the HTTP server listens on (useful with PORT=0); 0 when it does not listen. */
  readonly port: number;
  readonly logger: Logger;
  /** This process's metrics, for the process that serves them. */
  readonly metrics: Registry;
  /** Stops in order: live clients, HTTP, workers (with the grace period), event bus, queues, Redis, PostgreSQL. Idempotent. */
  stop(): Promise<void>;
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  const serveApi = config.ROLE !== 'worker';
  const runWorkers = config.ROLE !== 'api';

  await migrateWhenReachable(config.DATABASE_URL, logger, config.DATABASE_WAIT_MS);
  // node-postgres hangs its whole client (parsed statements and all) on a connection's
  // error: the line says what happened, not that.
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, (error) =>
    logger.warn({ err: { type: error.name, message: error.message, code: (error as { code?: unknown }).code } }, 'PostgreSQL connection lost'),
  );
  // One node or a cluster (redis/connection.ts).
  const redis = connectRedis(config);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));

  const output = new OutputDir({ dir: config.OUTPUT_DIR, retentionMs: config.OUTPUT_RETENTION_MS, maxBytes: config.OUTPUT_MAX_BYTES }, logger);
  const policy = new AddressPolicy(config.HTTP_ALLOW_HOSTS);
  const net = { policy, fetch: guardedFetch(policy) };
  const registry = new HandlerRegistry([
    ...builtInHandlers({
      email: { url: config.SMTP_URL, from: config.SMTP_FROM },
      export: { databaseUrl: config.DATABASE_URL, output },
      net,
      image: { output, net, concurrency: config.IMAGE_CONCURRENCY, maxMemoryBytes: config.IMAGE_MAX_MEMORY_MB * 1024 * 1024 },
    }),
    ...(await loadHandlers(config.HANDLERS_DIR, logger)),
    ...(options.handlers ?? []),
  ]);
  // Every committed change goes out on the bus, whichever process made it.
  const bus = new EventBus(redis, `${config.QUEUE_PREFIX}:events`, logger);
  const queries = new JobQueries(db);
  const hub = serveApi ? new EventHub(bus, queries, logger, { pollMs: config.EVENTS_POLL_MS }) : undefined;
  const listen = options.listen ?? true;
  // Identical WebSocket subscriptions share one execution: one hub listener for all their subscribers.
  const shared = new SharedSubscriptions();
  const metrics = new Metrics(queries, () => (hub?.listenerCount ?? 0) + shared.joined, { perProcess: listen });
  const queues = new JobQueues(redis, config.QUEUE_PREFIX, config.QUEUE_TIMEOUT_MS);
  const cancelSignals = new CancelSignals(redis, `${config.QUEUE_PREFIX}:cancel`, config.QUEUE_TIMEOUT_MS);
  // Every status change, and what it causes (events out, metrics, flows, Redis): jobs/lifecycle.ts.
  const lifecycle = new JobLifecycle({ db, bus, metrics, queues, cancelSignals, logger });
  const queueSettings = new QueueSettings(db, queues, config.QUEUES, logger);
  await hub?.start();

  // The types callers may submit: this process's handlers, and those remote workers registered (PostgreSQL).
  const catalog = new JobTypeCatalog(registry, db, logger);
  const submissions = new JobSubmissions({ config, queries, catalog, lifecycle, queues, logger });
  const rateLimit = new WorkRateLimit(redis, {
    jobsPerMinute: config.RATE_LIMIT_JOBS_PER_MINUTE,
    tenantJobsPerMinute: config.RATE_LIMIT_TENANT_JOBS_PER_MINUTE,
    keyPrefix: `${config.QUEUE_PREFIX}:ratelimit`,
  });

  const schedules = new Schedules({
    db,
    submissions,
    queues,
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    logger,
    timeoutMs: config.QUEUE_TIMEOUT_MS,
    limits: { maxSchedules: config.MAX_SCHEDULES, minIntervalMs: config.SCHEDULE_MIN_INTERVAL_MS },
    rateLimit,
  });

  // What runs an attempt, whoever runs it: tenant slots, logs kept, outcomes recorded (worker/worker.ts).
  const logs = new JobLogs(db, { maxLines: config.JOB_LOG_MAX_LINES, level: config.JOB_LOG_LEVEL.toUpperCase() as LogLevel }, logger);
  const slots = new TenantSlots(redis, config.QUEUE_PREFIX, config.TENANT_CONCURRENCY, config.WORKER_LOCK_MS);
  const workerDeps: WorkerDeps = { queries, lifecycle, cancelSignals, connection: redis, logger, metrics, logs, slots };
  const workerOptions = { prefix: config.QUEUE_PREFIX, lockMs: config.WORKER_LOCK_MS };

  // API processes serve remote workers (remote/): they take the jobs of the types those
  // registered from BullMQ and hand them over the workers' connections.
  let remote: { workers: RemoteWorkers; consumer: JobWorkers } | undefined;
  if (serveApi) {
    const consumer: JobWorkers = new JobWorkers(workerDeps, workerOptions, (job, controller, dependencies) => remoteWorkers.runner(job, controller, dependencies));
    const remoteWorkers: RemoteWorkers = new RemoteWorkers(
      { lifecycle, consumer: () => consumer, redis, logs, logger, applySettings: (queue, bull) => queueSettings.applyTo(queue, bull) },
      { prefix: config.QUEUE_PREFIX, heartbeatMs: config.WORKER_HEARTBEAT_MS, maxQueues: config.MAX_REMOTE_QUEUES },
    );
    remoteWorkers.start();
    remote = { workers: remoteWorkers, consumer };
  }

  let workers: JobWorkers | undefined;
  let heartbeat: Periodic | undefined;
  // The periodic services, started in this order and stopped in reverse (maintenance/).
  const periodic: Periodic[] = [new Periodic(slotLeases(slots), logger)];
  if (runWorkers) {
    const running = new JobWorkers(workerDeps, workerOptions, localRunner({ registry, lifecycle, logger, logs }));
    workers = running;
    for (const queue of config.QUEUES) await running.add(queue, config.WORKER_CONCURRENCY);
    await schedules.startWorker();
    const pruner = new Pruner(
      db,
      {
        databaseUrl: config.DATABASE_URL,
        completedMs: config.RETENTION_COMPLETED_MS,
        failedMs: config.RETENTION_FAILED_MS,
        intervalMs: config.PRUNE_INTERVAL_MS,
        batchSize: config.PRUNE_BATCH_SIZE,
      },
      logger,
    );
    const reconciler = new Periodic(new Reconciler(queries, queues, queueSettings, schedules, logger, config.RECONCILE_INTERVAL_MS), logger);
    heartbeat = new Periodic(
      new Heartbeat(
        redis,
        config.QUEUE_PREFIX,
        { queues: config.QUEUES, concurrency: config.WORKER_CONCURRENCY, types: registry.list().map((handler) => handler.name) },
        () => running.runningIds(),
        config.WORKER_HEARTBEAT_MS,
        logger,
      ),
      logger,
    );
    periodic.push(
      new Periodic(outputSweep(output), logger),
      new Periodic(pruner, logger),
      reconciler,
      new Periodic(flowSweep(lifecycle.flows, config.RECONCILE_INTERVAL_MS), logger),
    );
    // The heartbeat, and the first reconcile (what Redis lost while no worker ran), before the start is done.
    await heartbeat.start();
    await reconciler.start();
    for (const service of periodic) if (service !== reconciler) void service.start();
    // After a reconnect, Redis may have restarted empty.
    redis.on('ready', () => void reconciler.run());
  } else for (const service of periodic) void service.start();

  const tokens = new Tokens(
    {
      secret: config.JWT_SECRET,
      jwksUrl: config.JWT_JWKS_URL,
      jwksCooldownMs: config.JWT_JWKS_COOLDOWN_MS,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      tenantClaim: config.JWT_TENANT_CLAIM,
      jobTokenSecret: config.JOB_TOKEN_SECRET,
    },
    logger,
  );
  const auth = new Authenticator(new ApiKeys(config.API_KEYS), tokens);
  if (serveApi && auth.open) {
    logger.warn('NO API KEYS OR TOKENS CONFIGURED: anyone who can reach this port may read, submit and cancel jobs. Set API_KEYS or JWT_* outside development.');
  }
  const yoga = hub
    ? createGraphQLServer({
        config,
        logger,
        registry,
        catalog,
        remote: remote?.workers ?? null,
        submissions,
        schedules,
        actions: new JobActions({ queries, lifecycle }),
        workers: () => liveWorkers(redis, config.QUEUE_PREFIX),
        bulk: new BulkActions({ db, queries, lifecycle, logger, maxJobs: config.MAX_BULK_JOBS }),
        queries,
        streams: { hub, queries, snapshots: new JobSnapshots(queries), flows: new FlowSnapshots(queries, () => hub.lastId) },
        auth,
        rateLimit,
        metrics,
        queueSettings,
      })
    : null;
  const { moreMetrics } = options;
  const http = listen
    ? createHttpServer({
        yoga,
        auth,
        probes: { postgresql: () => db.$queryRaw`SELECT 1`, redis: () => redis.ping() },
        metrics: moreMetrics
          ? {
              contentType: metrics.registry.contentType,
              metrics: async () => AggregatorRegistry.aggregate([await metrics.registry.getMetricsAsJSON(), await moreMetrics()]).metrics(),
            }
          : metrics.registry,
        logger,
        limits: { maxConnections: config.MAX_CONNECTIONS, maxConnectionsPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS, requestTimeoutMs: config.REQUEST_TIMEOUT_MS },
        graphiql: config.GRAPHIQL,
      })
    : undefined;
  const server = http?.server;
  if (server) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A reconnect storm (every frontend at once, after a deploy) arrives faster than
      // one event loop accepts: Node's default queue of 511 pending connections
      // overflowed at 1,000 connects/s (measured: resets). The kernel caps it at somaxconn.
      server.listen({ port: config.PORT, host: config.HOST, backlog: LISTEN_BACKLOG }, () => resolve());
    });
  }
  const webSockets =
    yoga && http
      ? attachWebSockets(http, yoga, auth, { maxPayloadBytes: config.MAX_BODY_BYTES, maxSubscriptions: config.MAX_SUBSCRIPTIONS_PER_CONNECTION, bufferSize: config.SUBSCRIPTION_BUFFER_SIZE }, shared)
      : undefined;
  const port = server ? (server.address() as AddressInfo).port : 0;
  if (server && yoga) {
    logger.info({ port, role: config.ROLE, queues: config.QUEUES }, `jobgraph listening: dashboard http://localhost:${port}/, GraphQL http://localhost:${port}/graphql`);
  } else if (server) logger.info({ port, role: config.ROLE, queues: config.QUEUES }, `jobgraph listening: workers only, health at http://localhost:${port}/health`);
  else logger.info({ role: config.ROLE, queues: config.QUEUES }, 'jobgraph workers running');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Remote workers first, while their connections are open: no new jobs for them, and
      // what they run finishes within the grace period or is handed back.
      await remote?.consumer.close(config.SHUTDOWN_GRACE_MS);
      await remote?.workers.stop();
      // Live clients next: WebSockets close with 1001, SSE streams end.
      await webSockets?.close();
      await hub?.close();
      if (server) await closeServer(server, CLOSE_TIMEOUT_MS);
      // Maintenance first (nothing new starts), then the workers with their grace period,
      // then what they may still have moved on (flows), then the heartbeat's goodbye.
      for (const service of [...periodic].reverse()) await service.stop();
      await workers?.close(config.SHUTDOWN_GRACE_MS);
      await lifecycle.flows.settled();
      await heartbeat?.stop();
      await bus.close();
      await cancelSignals.close();
      // With Redis unreachable, a polite close would wait for it forever.
      if (redis.status === 'ready') {
        await within(schedules.close(), CLOSE_TIMEOUT_MS, 'closing schedules').catch(() => undefined);
        await within(queues.close(), CLOSE_TIMEOUT_MS, 'closing queues').catch(() => undefined);
        await within(redis.quit(), CLOSE_TIMEOUT_MS, 'closing Redis').catch(() => undefined);
      }
      // After the schedules: a firing counts against the rate limits.
      rateLimit.close();
      redis.disconnect();
      await db.$disconnect();
      // Once per process: ROLE=all's worker thread (no listener of its own) says its own line.
      logger.info(listen ? 'jobgraph stopped' : 'workers stopped');
    })());

  return { port, logger, metrics: metrics.registry, stop };
}
