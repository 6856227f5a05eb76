// The job as it stood when an event was dispatched, loaded once per event per process.
// The hub hands the same event object to every subscriber of this process, so 10,000
// subscribers asking for `job { status }` of one event cost one read, not 10,000, and
// the reads of one tick share one query.
import DataLoader from 'dataloader';
import type { JobQueries } from '../store/queries.js';
import type { JobSummary } from '../domain/model.js';
import type { JobEvent } from '../domain/model.js';

export class JobSnapshots {
  private readonly loader: DataLoader<string, JobSummary | null>;
  private readonly byEvent = new WeakMap<JobEvent, Promise<JobSummary | null>>();

  constructor(queries: JobQueries) {
    // No cache: the next event of the same job must see it as it is then.
    this.loader = new DataLoader((ids) => queries.byIds(ids), { cache: false });
  }

  /** The event's job (a summary: payload and result are loaded per response, within its budget). */
  at(event: JobEvent): Promise<JobSummary | null> {
    let load = this.byEvent.get(event);
    if (!load) {
      load = this.loader.load(event.jobId);
      this.byEvent.set(event, load);
    }
    return load;
  }
}
