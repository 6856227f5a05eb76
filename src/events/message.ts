// What travels over Redis pub/sub for each recorded event: the event row and the job
// fields subscribers filter on (queue and type, and tenant and owner, which decide who
// may see it), never the payload or result (those can be large; a subscriber that
// selects them loads the job from PostgreSQL).
import type { LiveEvent } from '../domain/events.js';
import type { JobEvent } from '../domain/model.js';
import type { Change } from '../domain/transitions.js';

export type { EventFilter, LiveEvent } from '../domain/events.js';
export { matches } from '../domain/events.js';

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
