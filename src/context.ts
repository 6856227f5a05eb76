// What every resolver receives: the services built once by the composition root, and
// per-request loaders.
import DataLoader from 'dataloader';
import { callerReaches, submitterOf } from './auth/access.js';
import type { Reach, Submitter } from './domain/reach.js';
import type { Authenticator } from './auth/authenticate.js';
import type { Caller } from './auth/caller.js';
import { rateKeysOf, type RateKeys, type WorkRateLimit } from './auth/rateLimit.js';
import type { Metrics } from './metrics/metrics.js';
import type { QueueSettings } from './queues/settings.js';
import type { Schedules } from './schedules/schedules.js';
import type { Config } from './config.js';
import type { HandlerRegistry } from './handlers/registry.js';
import type { JobTypeCatalog } from './handlers/catalog.js';
import type { RemoteWorkers } from './remote/workers.js';
import type { JobActions } from './jobs/actions.js';
import type { BulkActions } from './jobs/bulk.js';
import type { WorkerInfo } from './redis/workers.js';
import { ResponseBudget } from './http/limits.js';
import type { JobEvent, JobSummary, LargeJobField } from './domain/model.js';
import type { JobLogLine, JobQueries, LargeColumns, Page, PageArgs, Pages } from './store/queries.js';
import type { JobSubmissions } from './jobs/submit.js';
import type { Logger } from './logger.js';
import type { StreamDeps } from './events/streams.js';
import type { ServiceFacts } from './jobs/waiting.js';

export interface Services {
  config: Config;
  logger: Logger;
  registry: HandlerRegistry;
  /** Every type a caller may submit: this process's handlers and the types remote workers registered. */
  catalog: JobTypeCatalog;
  /** The remote workers connected to this process (null where it serves no API). */
  remote: RemoteWorkers | null;
  submissions: JobSubmissions;
  actions: JobActions;
  bulk: BulkActions;
  /** The worker processes alive now (their heartbeats in Redis). */
  workers: () => Promise<WorkerInfo[]>;
  queries: JobQueries;
  /** What the live streams read from: this process's event hub, and PostgreSQL. */
  streams: StreamDeps;
  auth: Authenticator;
  rateLimit: WorkRateLimit;
  metrics: Metrics;
  queueSettings: QueueSettings;
  schedules: Schedules;
}

/** What Yoga hands the context factory: an HTTP request, or a graphql-ws connection's params. */
export interface InitialContext {
  request?: { headers: { get(name: string): string | null } };
  connectionParams?: Readonly<Record<string, unknown>>;
  /** Node's request (HTTP, and the upgrade request of a WebSocket). */
  req?: { socket?: { remoteAddress?: string } };
}

export interface Context extends Services {
  /** Who is calling (an API key, a token, or nobody); the scope plugin refuses what they may not do. */
  caller: Caller;
  /** The jobs (and schedules) this caller may read, and may change. */
  reads: Reach;
  writes: Reach;
  /** Who the caller's submissions record as their submitter. */
  submitter: Submitter;
  /** Whom rate limits count against: the caller (key, token subject, or address), and its tenant. */
  rateKeys: RateKeys;
  // Loaders batch the reads of one tick into one query. None caches: a subscription's
  // context lives as long as it does, and must not serve what it read at its first event.
  /** Payloads, results and last errors, loaded in one query per tick and only when a response asks for them. */
  largeFieldLoader(field: LargeJobField): DataLoader<string, unknown>;
  /**
   * Job histories with the same page arguments (and large columns asked for), loaded in
   * one query per tick, their large columns charged to the budget before they are read.
   */
  eventPages(args: PageArgs, large: LargeColumns['large']): DataLoader<string, Page<JobEvent>>;
  /** Job logs, as eventPages. */
  logPages(args: PageArgs, large: LargeColumns['large']): DataLoader<string, Page<JobLogLine>>;
  /** The jobs each job waits for (Job.dependsOn), within read reach: one query per level of a response. */
  dependencies(): DataLoader<string, JobSummary[]>;
  /** Paused queues and live workers (Job.waitingFor, JobType.available): read at most once a second per context. */
  serviceFacts(): Promise<ServiceFacts>;
  /** Bytes of stored JSON the current response may still carry (MAX_RESPONSE_BYTES). */
  budget: ResponseBudget;
  /** Rows whose large columns the budget was charged for when they were loaded: their fields charge nothing more. */
  prepaid: WeakSet<object>;
  /**
   * A WebSocket subscription other subscribers may join (http/sharedSubscriptions.ts):
   * its stream must not end at this caller's expiry, which is enforced per subscriber.
   */
  shared?: boolean;
  /** The event id of the latest jobEvents result, for a shared stream's subscribers to resume from. */
  cursor?: bigint;
}

/** The credential a client sent: graphql-ws connectionParams.authorization, or the Authorization header. */
export function authorization(initial: InitialContext): string | null {
  const param = initial.connectionParams?.authorization ?? initial.connectionParams?.Authorization;
  return typeof param === 'string' ? param : (initial.request?.headers.get('authorization') ?? null);
}

function rateKeysOfCaller(caller: Caller, initial: InitialContext): RateKeys {
  if (caller.kind !== 'known') return { caller: `address:${initial.req?.socket?.remoteAddress ?? 'unknown'}`, tenant: null };
  return rateKeysOf(caller.who);
}

/**
 * The loader of pages with these arguments and large columns: one query per tick for
 * every job asking, charged to the budget for the large columns it read.
 */
function pagesLoader<T extends object>(
  loaders: Map<string, DataLoader<string, Page<T>>>,
  args: PageArgs,
  large: LargeColumns['large'],
  budget: ResponseBudget,
  prepaid: WeakSet<object>,
  load: (ids: readonly string[], asked: LargeColumns) => Promise<Pages<T>>,
): DataLoader<string, Page<T>> {
  const key = JSON.stringify([args.first, args.after, args.last, args.before, large]);
  let loader = loaders.get(key);
  if (!loader) {
    loader = new DataLoader(
      async (ids) => {
        const { pages, bytes } = await load(ids, { large, maxBytes: budget.remaining });
        // Throws (for every job of the batch) when they did not fit: then nothing large was read.
        budget.charge(bytes);
        for (const page of pages) for (const edge of page.edges) prepaid.add(edge.node);
        return pages;
      },
      { cache: false },
    );
    // Bounded by the document: each distinct argument set is one field of it.
    loaders.set(key, loader);
  }
  return loader;
}

/** How long a context trusts the facts it read (a subscription's context lives long). */
const FACTS_MS = 1000;

async function readFacts(services: Services): Promise<ServiceFacts> {
  const [queues, workers, running] = await Promise.all([services.queueSettings.list(), services.workers().catch(() => null), services.queries.runningCounts()]);
  // Redis away: what limits say is left out, not the answer.
  const rateLimited = await services.queueSettings.rateLimitedNow(queues).catch(() => undefined);
  return {
    paused: new Set(queues.filter((queue) => queue.paused).map((queue) => queue.name)),
    workers,
    running,
    concurrency: new Map(queues.map((queue) => [queue.name, queue.concurrency])),
    rateLimited,
    tenantConcurrency: services.config.TENANT_CONCURRENCY,
  };
}

export async function createContext(services: Services, initial: InitialContext = {}): Promise<Context> {
  const caller = await services.auth.callerOf(initial.req, authorization(initial));
  const { queries } = services;
  const budget = new ResponseBudget(services.config.MAX_RESPONSE_BYTES);
  const prepaid = new WeakSet<object>();
  const { reads, writes } = callerReaches(caller);
  // Loaders are made when a response first asks for what they load: most operations
  // (a live subscriber, 10,000 of them, each holding its context) never do.
  const large: Partial<Record<LargeJobField, DataLoader<string, unknown>>> = {};
  let dependencies: DataLoader<string, JobSummary[]> | undefined;
  let eventLoaders: Map<string, DataLoader<string, Page<JobEvent>>> | undefined;
  let logLoaders: Map<string, DataLoader<string, Page<JobLogLine>>> | undefined;
  let facts: { at: number; read: Promise<ServiceFacts> } | undefined;
  return {
    ...services,
    caller,
    reads,
    writes,
    submitter: submitterOf(caller),
    rateKeys: rateKeysOfCaller(caller, initial),
    largeFieldLoader: (field) =>
      (large[field] ??=
        field === 'lastAttemptError'
          ? // Its size is known only once read: read within what the budget has left, then charged.
            new DataLoader(
              async (ids) => {
                const { values, bytes } = await queries.attemptErrors(ids, budget.remaining);
                budget.charge(bytes);
                return values;
              },
              { cache: false },
            )
          : new DataLoader((ids) => queries.largeField(field, ids), { cache: false })),
    eventPages: (args, columns) => pagesLoader((eventLoaders ??= new Map()), args, columns, budget, prepaid, (ids, asked) => queries.events(ids, args, asked)),
    logPages: (args, columns) => pagesLoader((logLoaders ??= new Map()), args, columns, budget, prepaid, (ids, asked) => queries.logs(ids, args, asked)),
    dependencies: () => (dependencies ??= new DataLoader((ids) => queries.dependenciesOf(ids, reads), { cache: false })),
    serviceFacts: () => {
      if (!facts || Date.now() - facts.at > FACTS_MS) {
        const read = readFacts(services);
        facts = { at: Date.now(), read };
        read.catch(() => (facts = undefined));
      }
      return facts.read;
    },
    budget,
    prepaid,
  };
}
