// What every resolver receives: the services built once by the composition root, and
// per-request loaders.
import DataLoader from 'dataloader';
import type { Config } from './config.js';
import type { HandlerRegistry } from './handlers/registry.js';
import type { JobControl } from './jobs/control.js';
import type { Job } from './jobs/model.js';
import type { JobQueries } from './jobs/queries.js';
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
}

export interface Context extends Services {
  /**
   * Batches the job lookups of one tick (an event list's `job` fields) into one query.
   * No cache: a subscription's context lives as long as it does, and must not serve
   * the job as it was at its first event.
   */
  jobLoader: DataLoader<string, Job | null>;
}

export function createContext(services: Services): Context {
  return { ...services, jobLoader: new DataLoader((ids) => services.queries.byIds(ids), { cache: false }) };
}
