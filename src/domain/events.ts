// A job event as live streams carry it, and the filters subscribers give: shared by the
// hub (which matches events in memory) and the store (which reads the same events from
// PostgreSQL when a subscriber replays or the hub fills a gap).
import type { JobEvent } from './model.js';
import { inReach, type Reach } from './reach.js';

/** An event as the live stream carries it: the row plus its job's queue, type, tenant and owner. */
export interface LiveEvent extends JobEvent {
  queue: string;
  jobType: string;
  tenant: string;
  owner: string | null;
  flowId: string | null;
}

/** Filters of a jobEvents subscription; an absent filter matches everything. */
export interface EventFilter {
  /** The jobs the subscriber may see (always set for clients; the hub's own reads see all). */
  reach?: Reach;
  jobId?: string | null;
  flowId?: string | null;
  queue?: readonly string[] | null;
  type?: readonly string[] | null;
  eventType?: readonly JobEvent['type'][] | null;
}

export function matches(filter: EventFilter, event: LiveEvent): boolean {
  return (
    (filter.reach === undefined || inReach(filter.reach, { id: event.jobId, tenant: event.tenant, owner: event.owner })) &&
    (filter.jobId == null || filter.jobId === event.jobId) &&
    (filter.flowId == null || filter.flowId === event.flowId) &&
    (filter.queue == null || filter.queue.includes(event.queue)) &&
    (filter.type == null || filter.type.includes(event.jobType)) &&
    (filter.eventType == null || filter.eventType.includes(event.type))
  );
}
