// Configuration: read from the environment once, at start, and checked with zod.
// No other module reads process.env; everything else receives a Config.
import { z } from 'zod';
import { parseApiKeys } from './auth/apiKeys.js';
import { parseAllowList } from './net/allowList.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Queue names are Redis key parts and GraphQL filter values: keep them plain. */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** `all` serves the API and runs workers; `api` and `worker` split them to scale apart. */
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  /** With ROLE=all, the workers run in a worker thread of the process (a second core); false keeps one thread. */
  WORKER_THREAD: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(4000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .default('postgresql://postgres@127.0.0.1:5432/jobgraph'),
  /** How long to keep trying to reach PostgreSQL at start (it may start after the service); 0: fail at once. */
  DATABASE_WAIT_MS: int(0, 3_600_000).default(60_000),
  /** Connections in this process's PostgreSQL pool. */
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key in Redis; separate deployments sharing a Redis use different ones. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, 'letters, digits and _ . : - { } only, at most 64 (braces make a Redis Cluster hash tag)').default('jobgraph'),
  /** Queues that accept jobs and that the workers consume, comma-separated. */
  QUEUES: z
    .string()
    .default('default')
    .transform((value) => [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))])
    .pipe(z.array(z.string().regex(QUEUE_NAME, 'each queue name: letters, digits and _ . - only, 1 to 64')).min(1, 'name at least one queue')),
  WORKER_CONCURRENCY: int(1, 1000).default(10),
  /**
   * Jobs of one tenant running at once across all workers, so one tenant's long jobs
   * never hold every slot; jobs of no tenant are not counted. 0: no limit. Default: 80%
   * of one worker process's slots (WORKER_CONCURRENCY per queue); with more worker
   * processes, set it for the slots of the whole deployment.
   */
  TENANT_CONCURRENCY: int(0, 1_000_000).optional(),
  /** A worker that stops renewing its hold on a job (it died) loses the job after this; it then runs again. */
  WORKER_LOCK_MS: int(1000, 600_000).default(30_000),
  /** Lines a handler's ctx.logger keeps with the job, over all its attempts and retries (Job.logs); past it they go to the process log only. */
  JOB_LOG_MAX_LINES: int(0, 100_000).default(1000),
  /** Lines below this level are not kept with the job. */
  JOB_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** How often each worker process writes its heartbeat (Query.workers); one that misses three is gone. */
  WORKER_HEARTBEAT_MS: int(100, 60_000).default(5000),
  /** How often workers compare PostgreSQL with Redis and queue again what Redis lacks. */
  RECONCILE_INTERVAL_MS: int(1000, 3_600_000).default(60_000),
  /** How long a submit, retry or cancel waits for Redis before answering; the job is stored either way. */
  QUEUE_TIMEOUT_MS: int(100, 60_000).default(2000),
  DEFAULT_MAX_ATTEMPTS: int(1, 100).default(3),
  DEFAULT_BACKOFF_TYPE: z.enum(['FIXED', 'EXPONENTIAL']).default('EXPONENTIAL'),
  DEFAULT_BACKOFF_DELAY_MS: int(0, 86_400_000).default(1000),
  DEFAULT_BACKOFF_MAX_DELAY_MS: int(0, 604_800_000).default(3_600_000),
  DEFAULT_BACKOFF_JITTER: z.enum(['NONE', 'FULL', 'EQUAL', 'DECORRELATED']).default('FULL'),
  DEFAULT_TIMEOUT_MS: int(1, 86_400_000).default(300_000),
  /** Largest payload a job may carry, as JSON bytes. */
  MAX_PAYLOAD_BYTES: int(2, 64 * 1024 * 1024).default(1024 * 1024),
  /** Largest HTTP request body; past it the server answers 413. */
  MAX_BODY_BYTES: int(1024, 256 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Most jobs one retryJobs, cancelJobs or deleteJobs call may change; a filter matching more is refused. */
  MAX_BULK_JOBS: int(1, 1_000_000).default(10_000),
  /** Most jobs in one flow (submitFlow). */
  MAX_FLOW_SIZE: int(1, 10_000).default(1000),
  /** Most edges (dependsOn entries) in one flow: what a release, a cancel or a retry of its jobs may walk. */
  MAX_FLOW_EDGES: int(1, 1_000_000).default(10_000),
  /** Most jobs one job of a flow may wait for. */
  MAX_JOB_DEPENDENCIES: int(1, 10_000).default(1000),
  /** Most jobs in one submitJobs call. */
  MAX_BATCH_SIZE: int(1, 10_000).default(1000),
  /** Time that running jobs get to finish on shutdown before they are handed back. */
  SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(30_000),
  /** Live events that may wait for one slow subscriber before its subscription ends (it can resume with `after`). */
  SUBSCRIPTION_BUFFER_SIZE: int(1, 1000).default(1000),
  /** How often each API process looks in PostgreSQL for events that Redis pub/sub did not deliver. */
  EVENTS_POLL_MS: int(50, 60_000).default(1000),
  /**
   * API keys, `name:secret:scope,scope[:tenant]` separated by `;` (scopes: jobs:read,
   * jobs:write, jobs:read:own, jobs:write:own, admin). A key without a tenant is an
   * operator's and sees every tenant. With neither keys nor JWT settings the service is
   * open, which NODE_ENV=production refuses.
   */
  API_KEYS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const { keys, problems } = parseApiKeys(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
      return keys;
    }),
  /** HS256 secret of the tokens users sign in with (development and tests; at least 32 characters). */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').max(4096).optional(),
  /** Where the identity provider publishes its signing keys (production); needs JWT_ISSUER and JWT_AUDIENCE. */
  JWT_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Shortest time between two fetches of JWT_JWKS_URL: a token with an unknown `kid` (keys rotated) fetches again after it. */
  JWT_JWKS_COOLDOWN_MS: int(0, 3_600_000).default(30_000),
  /** A token's `iss` must be this. */
  JWT_ISSUER: z.string().min(1).max(1024).optional(),
  /** A token's `aud` must hold this. */
  JWT_AUDIENCE: z.string().min(1).max(1024).optional(),
  /** The claim that names a token's tenant. */
  JWT_TENANT_CLAIM: z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'a claim name').default('tenant'),
  /** Signs the read tokens createJobToken mints for one job (at least 32 characters); unset: none are minted. */
  JOB_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').max(4096).optional(),
  /** How long a job token lasts unless createJobToken asks for less (seconds). */
  JOB_TOKEN_TTL_SECONDS: int(10, 86_400).default(3600),
  /**
   * Work one API key (or client address, without a key) may ask for per minute, across
   * instances: each job submitted, retried or cancelled and each schedule created
   * counts one. 0: no limit.
   */
  RATE_LIMIT_JOBS_PER_MINUTE: int(0, 100_000_000).default(600_000),
  /** The same, for all the callers of one tenant together. 0: no limit. */
  RATE_LIMIT_TENANT_JOBS_PER_MINUTE: int(0, 100_000_000).default(600_000),
  /** Most bytes of job payloads, results and event data one response may carry (RESPONSE_TOO_LARGE past it). */
  MAX_RESPONSE_BYTES: int(1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Most a document may cost, counted with its variables: every field once per item its pages may hold. */
  MAX_QUERY_COST: int(100, 10_000_000).default(50_000),
  /** Open connections (HTTP and WebSocket) this process accepts at once; more are closed at once. */
  MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
  /** Open connections one client address may hold at once. */
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(256),
  /** A client must send a whole request (headers and body) within this; a slower one is cut off (408). */
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(30_000),
  /** Subscriptions one WebSocket may hold open at once. */
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 100_000).default(100),
  /**
   * Where http.request and image.resize may connect although the address is loopback,
   * private, link-local, unique-local or a cloud metadata address: comma-separated host
   * names or CIDRs (e.g. `127.0.0.1,10.0.0.0/8`). Empty: only public addresses.
   */
  HTTP_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const { rules, problems } = parseAllowList(value);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
      return rules;
    }),
  /** image.resize jobs running at once in this process; each runs in a child process that a cancel or timeout kills. */
  IMAGE_CONCURRENCY: int(1, 64).default(1),
  /** Memory one image.resize child process may use before it is killed (MB). */
  IMAGE_MAX_MEMORY_MB: int(64, 65_536).default(1024),
  /** Most schedules that may exist at once. */
  MAX_SCHEDULES: int(1, 1_000_000).default(100),
  /** Shortest time between two firings of a schedule a client may create. */
  SCHEDULE_MIN_INTERVAL_MS: int(1000, 86_400_000).default(10_000),
  /** COMPLETED jobs are deleted, with their events, this long after they finished; 0 keeps them. */
  RETENTION_COMPLETED_MS: int(0, 3650 * 86_400_000).default(7 * 86_400_000),
  /** FAILED and CANCELLED jobs are deleted, with their events, this long after they finished; 0 keeps them. */
  RETENTION_FAILED_MS: int(0, 3650 * 86_400_000).default(30 * 86_400_000),
  /** How often the pruner (one worker process at a time) looks for jobs past their retention. */
  PRUNE_INTERVAL_MS: int(100, 86_400_000).default(60_000),
  /** Jobs deleted per statement while pruning. */
  PRUNE_BATCH_SIZE: int(1, 100_000).default(5000),
  /** Files jobs write (data.export, image.resize) are deleted this long after they were written; 0 keeps them. */
  OUTPUT_RETENTION_MS: int(0, 365 * 86_400_000).default(86_400_000),
  /** Most bytes the files in OUTPUT_DIR may take together; a job that would pass it fails. */
  OUTPUT_MAX_BYTES: int(1024, Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
  /** Serve GraphiQL at GET /graphql (default: on, except with NODE_ENV=production). */
  GRAPHIQL: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')),
  /** Origins (e.g. `https://app.example.com`) whose pages may call the API from a browser, comma-separated. Empty: same origin only. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ error: 'each origin must be a URL such as https://app.example.com' }))),
  /** SMTP server for email.send, e.g. smtps://user:pass@smtp.example.com; unset: email.send jobs fail. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z.string().min(3).max(320).default('jobgraph <jobgraph@localhost>'),
  /** Where data.export and image.resize write their files (on the workers). */
  OUTPUT_DIR: z.string().min(1).default('output'),
  /** A directory of modules, each exporting job handlers, loaded at start (see README). */
  HANDLERS_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema> & { GRAPHIQL: boolean; TENANT_CONCURRENCY: number };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        // URLs may carry passwords, API_KEYS and *_SECRET hold secrets: never echo them.
        const secret = name.endsWith('_URL') || name.endsWith('_SECRET') || name === 'API_KEYS';
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
  if (problems.length) throw new ConfigError(problems);
  return {
    ...parsed.data,
    GRAPHIQL: parsed.data.GRAPHIQL ?? parsed.data.NODE_ENV !== 'production',
    TENANT_CONCURRENCY: parsed.data.TENANT_CONCURRENCY ?? Math.max(1, Math.floor(0.8 * data.WORKER_CONCURRENCY * data.QUEUES.length)),
  };
}
