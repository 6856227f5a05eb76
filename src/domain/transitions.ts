// The job lifecycle as data: every status change there is, the statuses it leaves and
// enters, the event that records it, who makes it, and what Redis must be told once it
// has committed. Nothing else changes a job's status.
//
//   store/changes.ts and store/flows.ts   the SQL of each (one statement, guarded by `from`)
//   jobs/lifecycle.ts                     applies them, then their effects, in one place
//   docs/architecture.md                  the state diagram, printed from this table
//
// A change made through this table is recorded first (PostgreSQL is the truth); what
// Redis then misses, the reconciler catches up: a job owed a run is queued again, and a
// withdrawn job that starts anyway is refused by `start`.
import type { Job, JobEvent, JobEventType, JobStatus } from './model.js';

/** What Redis must do once a change has committed. */
export type QueueEffect =
  /** The job must be in its BullMQ queue (added with its priority and runAt; adding an id BullMQ holds does nothing). */
  | 'enqueue'
  /** The job must not run: removed from its queue, and an attempt running anywhere told to stop. */
  | 'withdraw'
  /** The job must run now: moved out of BullMQ's delayed set (queued if Redis lost it). */
  | 'promote'
  /** Nothing: the worker holding the job moves it itself, or the job is not in a queue. */
  | null;

export interface Transition {
  /** Statuses it may leave; `null` for a job that does not exist yet. */
  from: readonly (JobStatus | null)[];
  /** Statuses it may enter (the statement chooses among several by the job's own fields). */
  to: readonly JobStatus[];
  event: JobEventType;
  /** Who asks for it: a client (through the API), a worker (running the job), or a flow step (following other jobs). */
  by: 'client' | 'worker' | 'flow';
  queue: QueueEffect;
  /** When it happens, in a few words (the state diagram's labels). */
  when: string;
}

export const TRANSITIONS = {
  create: { from: [null], to: ['PENDING', 'SCHEDULED', 'BLOCKED'], event: 'CREATED', by: 'client', queue: 'enqueue', when: 'submitted (SCHEDULED with runAt ahead, BLOCKED in a flow until what it waits for COMPLETED)' },
  /** From RUNNING only when the queue redelivers a job whose worker died (the lost attempt counts). */
  start: { from: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING'], to: ['RUNNING'], event: 'STARTED', by: 'worker', queue: null, when: 'a worker begins an attempt' },
  progress: { from: ['RUNNING'], to: ['RUNNING'], event: 'PROGRESS', by: 'worker', queue: null, when: 'the handler reports progress' },
  complete: { from: ['RUNNING'], to: ['COMPLETED'], event: 'COMPLETED', by: 'worker', queue: null, when: 'the handler returned' },
  scheduleRetry: { from: ['RUNNING'], to: ['RETRYING'], event: 'RETRY_SCHEDULED', by: 'worker', queue: null, when: 'the attempt failed and attempts are left' },
  fail: { from: ['RUNNING'], to: ['FAILED'], event: 'FAILED', by: 'worker', queue: null, when: 'the attempt failed for good (none left, or a permanent error)' },
  /** Not a failure: the attempt it spent is given back. */
  handBack: { from: ['RUNNING'], to: ['RETRYING'], event: 'RETRY_SCHEDULED', by: 'worker', queue: null, when: "the worker shut down before the job finished" },
  cancel: { from: ['PENDING', 'SCHEDULED', 'RETRYING', 'RUNNING', 'BLOCKED'], to: ['CANCELLED'], event: 'CANCELLED', by: 'client', queue: 'withdraw', when: 'a client cancels it' },
  /** A flow's job also needs all it waits for COMPLETED (store: DEPENDENCIES_DONE). */
  retry: { from: ['FAILED', 'CANCELLED'], to: ['PENDING'], event: 'RETRIED', by: 'client', queue: 'enqueue', when: 'a client retries it' },
  promote: { from: ['SCHEDULED', 'RETRYING'], to: ['PENDING'], event: 'PROMOTED', by: 'client', queue: 'promote', when: 'a client runs it now (promoteJob)' },
  release: { from: ['BLOCKED'], to: ['PENDING', 'SCHEDULED'], event: 'RELEASED', by: 'flow', queue: 'enqueue', when: 'all it waits for COMPLETED' },
  cascade: { from: ['BLOCKED'], to: ['CANCELLED'], event: 'CANCELLED', by: 'flow', queue: null, when: 'a job it waits for ended FAILED or CANCELLED' },
  reblock: { from: ['CANCELLED'], to: ['BLOCKED'], event: 'RETRIED', by: 'flow', queue: null, when: 'a job it waited for was retried' },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Whether `name` may leave `status`. */
export function allows(name: TransitionName, status: JobStatus): boolean {
  return (TRANSITIONS[name].from as readonly (JobStatus | null)[]).includes(status);
}

/** Why a client's change was refused for a job in `status`, in words the client sees. */
export function refusal(name: 'retry' | 'cancel' | 'promote', id: string, status: JobStatus): string {
  if (name === 'retry' && allows('retry', status)) return `job ${id} waits for jobs of its flow that have not COMPLETED (or were deleted); retry those first`;
  const allowed = TRANSITIONS[name].from.join(', ');
  const done = { retry: 'retried', cancel: 'cancelled', promote: 'run now' }[name];
  return `job ${id} is ${status}; only ${allowed} jobs can be ${done}`;
}

/** A job as the database holds it right after a change, the event that recorded the change, and which transition it was. */
export interface Change {
  job: Job;
  event: JobEvent;
  transition: TransitionName;
}
