// What every resolver receives: the services built once by the composition root, and
// per-request loaders.
import DataLoader from 'dataloader';
import type { ApiKeys, Caller } from './auth/apiKeys.js';
import type { WorkRateLimit } from './auth/rateLimit.js';
import type { Metrics } from './metrics/metrics.js';
import type { QueueControl } from './queue/control.js';
import type { Schedules } from './schedules/schedules.js';
import type { Config } from './config.js';
import type { HandlerRegistry } from './handlers/registry.js';
import type { JobControl } from './jobs/control.js';
import { ResponseBudget } from './http/limits.js';
import type { JobEvent, LargeJobField } from './jobs/model.js';
import type { JobQueries, Page, PageArgs } from './store/queries.js';
import type { JobSubmitter } from './jobs/submit.js';
import type { Logger } from './logger.js';
import type { StreamDeps } from './events/streams.js';

export interface Services {
  config: Config;
  logger: Logger;
  registry: HandlerRegistry;
  submitter: JobSubmitter;
  control: JobControl;
  queries: JobQueries;
  /** What the live streams read from: this process's event hub, and PostgreSQL. */
  streams: StreamDeps;
  apiKeys: ApiKeys;
  rateLimit: WorkRateLimit;
  metrics: Metrics;
  queueControl: QueueControl;
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
  /** Who is calling (an API key, or nobody); the scope plugin refuses what they may not do. */
  caller: Caller;
  /** Whom rate limits count against: the API key's name, or the client's address. */
  rateKey: string;
  // Loaders batch the reads of one tick into one query. None caches: a subscription's
  // context lives as long as it does, and must not serve what it read at its first event.
  /** Payloads and results, loaded in one query per tick and only when a response asks for them. */
  largeFieldLoaders: Record<LargeJobField, DataLoader<string, unknown>>;
  /** Job histories with the same page arguments, loaded in one query per tick. */
  eventPages(args: PageArgs): DataLoader<string, Page<JobEvent>>;
  /** Bytes of stored JSON the current response may still carry (MAX_RESPONSE_BYTES). */
  budget: ResponseBudget;
}

/** The credential a client sent: graphql-ws connectionParams.authorization, or the Authorization header. */
export function authorization(initial: InitialContext): string | null {
  const param = initial.connectionParams?.authorization ?? initial.connectionParams?.Authorization;
  return typeof param === 'string' ? param : (initial.request?.headers.get('authorization') ?? null);
}

export function createContext(services: Services, initial: InitialContext = {}): Context {
  const caller = services.apiKeys.callerOf(initial.req, authorization(initial));
  const rateKey = caller.kind === 'key' ? `key:${caller.key.name}` : `address:${initial.req?.socket?.remoteAddress ?? 'unknown'}`;
  const { queries } = services;
  const eventLoaders = new Map<string, DataLoader<string, Page<JobEvent>>>();
  return {
    ...services,
    caller,
    rateKey,
    largeFieldLoaders: {
      payload: new DataLoader((ids) => queries.largeField('payload', ids), { cache: false }),
      result: new DataLoader((ids) => queries.largeField('result', ids), { cache: false }),
    },
    eventPages(args) {
      const key = JSON.stringify([args.first, args.after, args.last, args.before]);
      let loader = eventLoaders.get(key);
      if (!loader) {
        loader = new DataLoader((ids) => queries.events(ids, args), { cache: false });
        // Bounded by the document: each distinct argument set is one field of it.
        eventLoaders.set(key, loader);
      }
      return loader;
    },
    budget: new ResponseBudget(services.config.MAX_RESPONSE_BYTES),
  };
}
