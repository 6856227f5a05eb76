// Configuration: read from the environment once, at start, and checked with zod.
// No other module reads process.env; everything else receives a Config.
import { z } from 'zod';
import { parseApiKeys } from './auth/apiKeys.js';
import { parseAllowList } from './net/allowList.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Queue names are Redis key parts and GraphQL filter values: keep them plain. */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('`production` refuses to start without credentials and turns GraphiQL off by default.'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all').describe('`all` serves the API and runs workers; `api` and `worker` split them to scale apart.'),
  WORKER_THREAD: z.enum(['true', 'false']).default('true').transform((value) => value === 'true').describe('With ROLE=all, the workers run in a worker thread of the process (a second core); false keeps one thread.'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Where HTTP listens (workers too: /health, /ready, /metrics).'),
  PORT: int(0, 65535).default(4000).describe('The HTTP port; 0 picks a free one.'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .default('postgresql://postgres@127.0.0.1:5432/jobgraph')
    .describe('PostgreSQL, the record of every job; the database is created if it is missing.'),
  DATABASE_WAIT_MS: int(0, 3_600_000).default(60_000).describe('How long to keep trying to reach PostgreSQL at start (it may start after the service); 0: fail at once.'),
  DATABASE_POOL_SIZE: int(1, 200).default(10).describe("Connections in this process's PostgreSQL pool."),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379')
    .describe('Redis: BullMQ queues, live events between instances, rate limits, worker heartbeats.'),
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((node) => node.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, 'each node: host:port'))).describe('A Redis Cluster instead of one node: some of its nodes as host:port, comma-separated (the rest are found from them); REDIS_URL is then not used, and QUEUE_PREFIX must hold a hash tag such as {jobgraph}.'),
  REDIS_USERNAME: z.string().min(1).max(256).optional().describe('With REDIS_CLUSTER_NODES: the Redis ACL user (one node takes it in REDIS_URL).'),
  REDIS_PASSWORD: z.string().min(1).max(1024).optional().describe('With REDIS_CLUSTER_NODES: the password of every node (one node takes it in REDIS_URL).'),
  REDIS_TLS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true').describe('With REDIS_CLUSTER_NODES: connect to the nodes with TLS (one node: a rediss:// REDIS_URL).'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, 'letters, digits and _ . : - { } only, at most 64 (braces make a Redis Cluster hash tag)').default('jobgraph').describe('Prefix of every BullMQ key in Redis; separate deployments sharing a Redis use different ones.'),
  QUEUES: z
    .string()
    .default('default')
    .transform((value) => [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))])
    .pipe(z.array(z.string().regex(QUEUE_NAME, 'each queue name: letters, digits and _ . - only, 1 to 64')).min(1, 'name at least one queue')).describe('Queues that accept jobs and that the workers consume, comma-separated.'),
  WORKER_CONCURRENCY: int(1, 1000).default(10).describe('Jobs one worker process runs at once, per queue.'),
  TENANT_CONCURRENCY: int(0, 1_000_000).optional().describe("Jobs of one tenant running at once across all workers, so one tenant's long jobs never hold every slot; jobs of no tenant are not counted. 0: no limit. Default: 80% of one worker process's slots (WORKER_CONCURRENCY per queue); with more worker processes, set it for the slots of the whole deployment."),
  WORKER_LOCK_MS: int(1000, 600_000).default(30_000).describe('A worker that stops renewing its hold on a job (it died) loses the job after this; it then runs again.'),
  JOB_LOG_MAX_LINES: int(0, 100_000).default(1000).describe("Lines a handler's ctx.logger keeps with the job, over all its attempts and retries (Job.logs); past it they go to the process log only."),
  JOB_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Lines below this level are not kept with the job.'),
  WORKER_HEARTBEAT_MS: int(100, 60_000).default(5000).describe('How often each worker process writes its heartbeat (Query.workers), and how often a remote worker must beat; one that misses three is gone (a remote one loses its jobs, which run again).'),
  MAX_REMOTE_QUEUES: int(1, 10_000).default(200).describe('Most BullMQ queues one API process takes jobs from for the remote workers connected to it: one per queue, tenant and job type they run, each holding a Redis connection. A worker that would pass it is refused.'),
  RECONCILE_INTERVAL_MS: int(1000, 3_600_000).default(60_000).describe('How often workers compare PostgreSQL with Redis and queue again what Redis lacks.'),
  QUEUE_TIMEOUT_MS: int(100, 60_000).default(2000).describe('How long a submit, retry or cancel waits for Redis before answering; the job is stored either way.'),
  DEFAULT_MAX_ATTEMPTS: int(1, 100).default(3).describe('Attempts of a job that does not say (maxAttempts).'),
  DEFAULT_BACKOFF_TYPE: z.enum(['FIXED', 'EXPONENTIAL']).default('EXPONENTIAL').describe('Backoff between attempts of a job that does not say.'),
  DEFAULT_BACKOFF_DELAY_MS: int(0, 86_400_000).default(1000).describe('Base delay between attempts, for a job that does not say.'),
  DEFAULT_BACKOFF_MAX_DELAY_MS: int(0, 604_800_000).default(3_600_000).describe('Longest delay between two attempts, for a job that does not say.'),
  DEFAULT_BACKOFF_JITTER: z.enum(['NONE', 'FULL', 'EQUAL', 'DECORRELATED']).default('FULL').describe('Jitter of the delay, for a job that does not say.'),
  DEFAULT_TIMEOUT_MS: int(1, 86_400_000).default(300_000).describe('An attempt running longer than this fails, for a job that does not say (timeoutMs).'),
  MAX_PAYLOAD_BYTES: int(2, 64 * 1024 * 1024).default(1024 * 1024).describe('Largest payload a job may carry, as JSON bytes.'),
  MAX_BODY_BYTES: int(1024, 256 * 1024 * 1024).default(16 * 1024 * 1024).describe('Largest HTTP request body; past it the server answers 413.'),
  MAX_BULK_JOBS: int(1, 1_000_000).default(10_000).describe('Most jobs one retryJobs, cancelJobs or deleteJobs call may change; a filter matching more is refused.'),
  MAX_FLOW_SIZE: int(1, 10_000).default(1000).describe('Most jobs in one flow (submitFlow).'),
  MAX_FLOW_EDGES: int(1, 1_000_000).default(10_000).describe('Most edges (dependsOn entries) in one flow: what a release, a cancel or a retry of its jobs may walk.'),
  MAX_JOB_DEPENDENCIES: int(1, 10_000).default(1000).describe('Most jobs one job of a flow may wait for.'),
  MAX_BATCH_SIZE: int(1, 10_000).default(1000).describe('Most jobs in one submitJobs call.'),
  SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(30_000).describe('Time that running jobs get to finish on shutdown before they are handed back.'),
  SUBSCRIPTION_BUFFER_SIZE: int(1, 1000).default(1000).describe('Live events that may wait for one slow subscriber before its subscription ends (it can resume with `after`).'),
  EVENTS_POLL_MS: int(50, 60_000).default(1000).describe('How often each API process looks in PostgreSQL for events that Redis pub/sub did not deliver.'),
  API_KEYS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const { keys, problems } = parseApiKeys(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
      return keys;
    }).describe("API keys, `name:secret:scope,scope[:tenant]` separated by `;` (scopes: jobs:read, jobs:write, jobs:read:own, jobs:write:own, jobs:work, admin; jobs:work lets a remote worker take and run jobs: docs/workers.md). A key without a tenant is an operator's and sees every tenant. With neither keys nor JWT settings the service is open, which NODE_ENV=production refuses."),
  JWT_SECRET: z.string().min(32, 'at least 32 characters').max(4096).optional().describe('HS256 secret of the tokens users sign in with (development and tests; at least 32 characters).'),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional().describe('Where the identity provider publishes its signing keys (production); needs JWT_ISSUER and JWT_AUDIENCE.'),
  JWT_JWKS_COOLDOWN_MS: int(0, 3_600_000).default(30_000).describe('Shortest time between two fetches of JWT_JWKS_URL: a token with an unknown `kid` (keys rotated) fetches again after it.'),
  JWT_ISSUER: z.string().min(1).max(1024).optional().describe("A token's `iss` must be this."),
  JWT_AUDIENCE: z.string().min(1).max(1024).optional().describe("A token's `aud` must hold this."),
  JWT_TENANT_CLAIM: z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'a claim name').default('tenant').describe("The claim that names a token's tenant."),
  JOB_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').max(4096).optional().describe('Signs the read tokens createJobToken mints for one job (at least 32 characters); unset: none are minted.'),
  JOB_TOKEN_TTL_SECONDS: int(10, 86_400).default(3600).describe('How long a job token lasts unless createJobToken asks for less (seconds).'),
  RATE_LIMIT_JOBS_PER_MINUTE: int(0, 100_000_000).default(600_000).describe('Work one API key (or client address, without a key) may ask for per minute, across instances: each job submitted, retried or cancelled and each schedule created counts one. 0: no limit.'),
  RATE_LIMIT_TENANT_JOBS_PER_MINUTE: int(0, 100_000_000).default(600_000).describe('The same, for all the callers of one tenant together. 0: no limit.'),
  MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024).describe('Most bytes of job payloads, results and event data one response may carry (RESPONSE_TOO_LARGE past it).'),
  MAX_QUERY_COST: int(100, 10_000_000).default(50_000).describe('Most a document may cost, counted with its variables: every field once per item its pages may hold.'),
  MAX_CONNECTIONS: int(1, 1_000_000).default(10_000).describe('Open connections (HTTP and WebSocket) this process holds at once; one more is answered 503 with Retry-After (a WebSocket: close code 1013, Try Again Later, which graphql-ws clients retry after) and closed.'),
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(256).describe('Open connections one client address may hold at once; one more is answered 429 with Retry-After (a WebSocket: close code 1013) and closed.'),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(30_000).describe('A client must send a whole request (headers and body) within this; a slower one is cut off (408).'),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 100_000).default(100).describe('Subscriptions one WebSocket may hold open at once.'),
  HTTP_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const { rules, problems } = parseAllowList(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
      return rules;
    }).describe('Where http.request and image.resize may connect although the address is loopback, private, link-local, unique-local or a cloud metadata address: comma-separated host names or CIDRs (e.g. `127.0.0.1,10.0.0.0/8`). Empty: only public addresses.'),
  IMAGE_CONCURRENCY: int(1, 64).default(1).describe('image.resize jobs running at once in this process; each runs in a child process that a cancel or timeout kills.'),
  IMAGE_MAX_MEMORY_MB: int(64, 65_536).default(1024).describe('Memory one image.resize child process may use before it is killed (MB).'),
  MAX_SCHEDULES: int(1, 1_000_000).default(100).describe('Most schedules that may exist at once.'),
  SCHEDULE_MIN_INTERVAL_MS: int(1000, 86_400_000).default(10_000).describe('Shortest time between two firings of a schedule a client may create.'),
  RETENTION_COMPLETED_MS: int(0, 3650 * 86_400_000).default(7 * 86_400_000).describe('COMPLETED jobs are deleted, with their events, this long after they finished; 0 keeps them. A flow goes whole, once each of its jobs is past its own retention.'),
  RETENTION_FAILED_MS: int(0, 3650 * 86_400_000).default(30 * 86_400_000).describe('FAILED and CANCELLED jobs are deleted, with their events, this long after they finished; 0 keeps them. A flow goes whole, once each of its jobs is past its own retention.'),
  PRUNE_INTERVAL_MS: int(100, 86_400_000).default(60_000).describe('How often the pruner (one worker process at a time) looks for jobs past their retention.'),
  PRUNE_BATCH_SIZE: int(1, 100_000).default(5000).describe('Jobs deleted per statement while pruning.'),
  OUTPUT_RETENTION_MS: int(0, 365 * 86_400_000).default(86_400_000).describe('Files jobs write (data.export, image.resize) are deleted this long after they were written; 0 keeps them.'),
  OUTPUT_MAX_BYTES: int(1024, Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024).describe('Most bytes the files in OUTPUT_DIR may take together; a job that would pass it fails.'),
  GRAPHIQL: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')).describe('Serve GraphiQL at GET /graphql (default: on, except with NODE_ENV=production).'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ error: 'each origin must be a URL such as https://app.example.com' }))).describe('Origins (e.g. `https://app.example.com`) whose pages may call the API from a browser, comma-separated. Empty: same origin only.'),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional().describe('SMTP server for email.send, e.g. smtps://user:pass@smtp.example.com; unset: email.send jobs fail.'),
  SMTP_FROM: z.string().min(3).max(320).default('jobgraph <jobgraph@localhost>').describe('Sender of email.send.'),
  OUTPUT_DIR: z.string().min(1).default('output').describe('Where data.export and image.resize write their files (on the workers).'),
  HANDLERS_DIR: z.string().min(1).optional().describe('A directory of modules, each exporting job handlers, loaded at start (docs/api.md, Job types).'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL (an OTLP/HTTP collector, e.g. http://otel-collector:4318)' })
    .optional()
    .describe('Tracing (OpenTelemetry): the OTLP/HTTP collector spans go to (/v1/traces is added). Unset: tracing is off and costs nothing. The SDK also honours OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_TRACES_SAMPLER.'),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json'], { error: 'http/protobuf or http/json (gRPC is not supported: use the collector\'s HTTP port)' }).default('http/protobuf').describe('How spans are sent.'),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).default('jobgraph').describe("The service.name of this process's spans."),
  OTEL_BSP_SCHEDULE_DELAY: int(0, 3_600_000).optional().describe('Tracing: most milliseconds between two exports of spans (SDK default 5000).'),
  OTEL_BSP_EXPORT_TIMEOUT: int(1, 3_600_000).optional().describe('Tracing: milliseconds an export may take before it is given up (SDK default 30000).'),
  OTEL_BSP_MAX_QUEUE_SIZE: int(1, 1_000_000).optional().describe('Tracing: spans kept waiting for export; past it new spans are dropped (SDK default 2048).'),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: int(1, 1_000_000).optional().describe('Tracing: most spans in one export (SDK default 512).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Lines below this level are not logged (JSON lines on stdout).'),
});

export type Config = z.infer<typeof configSchema> & { GRAPHIQL: boolean; TENANT_CONCURRENCY: number };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Whether Redis hashes keys starting with `prefix` by a tag of it: a `{`, then at least one character before the next `}`. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        // URLs may carry passwords, API_KEYS and *_SECRET hold secrets: never echo them.
        const secret = name.endsWith('_URL') || name.endsWith('_SECRET') || name.endsWith('_PASSWORD') || name === 'API_KEYS';
        const shown = name in present && !secret ? ` (got ${JSON.stringify(present[name])})` : '';
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  if (parsed.data.DEFAULT_BACKOFF_MAX_DELAY_MS < parsed.data.DEFAULT_BACKOFF_DELAY_MS) {
    throw new ConfigError(['DEFAULT_BACKOFF_MAX_DELAY_MS: must be at least DEFAULT_BACKOFF_DELAY_MS']);
  }
  const { data } = parsed;
  const problems: string[] = [];
  if (data.NODE_ENV === 'production' && data.API_KEYS.length === 0 && !data.JWT_SECRET && !data.JWT_JWKS_URL) {
    problems.push('API_KEYS: required when NODE_ENV=production, unless tokens are (JWT_JWKS_URL or JWT_SECRET): the service would be open to anyone');
  }
  // An identity provider's keys sign tokens for every application it serves.
  if (data.JWT_JWKS_URL && (!data.JWT_ISSUER || !data.JWT_AUDIENCE)) {
    problems.push('JWT_JWKS_URL: needs JWT_ISSUER and JWT_AUDIENCE, or tokens the provider issued for other applications would be accepted');
  }
  if (data.JOB_TOKEN_SECRET && data.JOB_TOKEN_SECRET === data.JWT_SECRET) {
    problems.push('JOB_TOKEN_SECRET: must differ from JWT_SECRET (a job token must never pass as a user token)');
  }
  // BullMQ's scripts touch several keys of a queue at once: on a cluster they must share a
  // slot, which only a hash tag (the first {...} of every key, here the prefix's) gives.
  if (data.REDIS_CLUSTER_NODES.length && !hasHashTag(data.QUEUE_PREFIX)) {
    problems.push(`QUEUE_PREFIX: on a Redis Cluster it must hold a hash tag, e.g. {${data.QUEUE_PREFIX.replace(/[{}]/g, '')}}: BullMQ's scripts use several keys of a queue at once, which must share one slot`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...parsed.data,
    GRAPHIQL: parsed.data.GRAPHIQL ?? parsed.data.NODE_ENV !== 'production',
    TENANT_CONCURRENCY: parsed.data.TENANT_CONCURRENCY ?? Math.max(1, Math.floor(0.8 * data.WORKER_CONCURRENCY * data.QUEUES.length)),
  };
}
