// What travels over Redis pub/sub for each recorded event: the event row and the job
// fields subscribers filter on (queue and type, and tenant and owner, which decide who
// may see it), never the payload or result (those can be large; a subscriber that
// selects them loads the job from PostgreSQL).
import { inReach, type Reach } from '../domain/reach.js';
import type { Change } from '../jobs/lifecycle.js';
import type { JobEvent } from '../domain/model.js';

/** An event as the live stream carries it: the row plus its job's queue, type, tenant and owner. */
export interface LiveEvent extends JobEvent {
  queue: string;
  jobType: string;
  tenant: string;
  owner: string | null;
  flowId: string | null;
}

/** JSON form of a LiveEvent (bigint and Date as strings). */
export interface EventMessage {
  id: string;
  jobId: string;
  type: JobEvent['type'];
  status: JobEvent['status'];
  attempt: number;
  progress: number | null;
  message: string | null;
  data: JobEvent['data'];
  createdAt: string;
  queue: string;
  jobType: string;
  tenant: string;
  owner: string | null;
  flowId?: string | null;
}

export function toMessage({ job, event }: Change): EventMessage {
  return {
    id: event.id.toString(),
    jobId: event.jobId,
    type: event.type,
    status: event.status,
    attempt: event.attempt,
    progress: event.progress,
    message: event.message,
    data: event.data,
    createdAt: event.createdAt.toISOString(),
    queue: job.queue,
    jobType: job.type,
    tenant: job.tenant,
    owner: job.owner,
    flowId: job.flowId,
  };
}

export function fromMessage(message: EventMessage): LiveEvent {
  return { ...message, flowId: message.flowId ?? null, id: BigInt(message.id), createdAt: new Date(message.createdAt) };
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
