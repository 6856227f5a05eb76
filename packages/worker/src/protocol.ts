// The worker protocol: GraphQL operations over one graphql-ws connection (docs/workers.md
// in the service's repository describes them for other languages).
//
//   subscription work(worker)      registers the worker and its types, then streams
//                                  REGISTERED (its id, how often to beat), JOB (a job to
//                                  run under a lease) and CANCEL (stop that job)
//   workerHeartbeat(workerId, memoryBytes)  every heartbeatMs: a worker silent for three loses its jobs
//   drainWorker(workerId)          no more jobs for it (stop)
//   reportProgress(lease, percent) / appendJobLogs(lease, lines)
//   completeJob(lease, result) / failJob(lease, error, permanent) / handBackJob(lease)
//
// Every mutation goes over the same connection: the service that handed out the lease
// holds it, and a lease lost (the connection dropped, the worker went silent) refuses a
// late outcome.

export const WORK = `subscription JobgraphWork($worker: WorkerRegistration!) {
  work(worker: $worker) { kind workerId heartbeatMs lease reason job { id type queue payload attempt maxAttempts timeoutMs dependencies traceparent } }
}`;
export const HEARTBEAT = 'mutation JobgraphHeartbeat($workerId: String!, $memoryBytes: Float) { workerHeartbeat(workerId: $workerId, memoryBytes: $memoryBytes) }';
export const DRAIN = 'mutation JobgraphDrain($workerId: String!) { drainWorker(workerId: $workerId) }';
export const PROGRESS = 'mutation JobgraphProgress($lease: String!, $percent: Float!) { reportProgress(lease: $lease, percent: $percent) }';
export const LOGS = 'mutation JobgraphLogs($lease: String!, $lines: [JobLogInput!]!) { appendJobLogs(lease: $lease, lines: $lines) }';
export const COMPLETE = 'mutation JobgraphComplete($lease: String!, $result: JSON) { completeJob(lease: $lease, result: $result) { status userErrors { code message } } }';
export const FAIL =
  'mutation JobgraphFail($lease: String!, $error: AttemptErrorInput!, $permanent: Boolean) { failJob(lease: $lease, error: $error, permanent: $permanent) { status userErrors { code message } } }';
export const HAND_BACK = 'mutation JobgraphHandBack($lease: String!, $reason: String) { handBackJob(lease: $lease, reason: $reason) { status userErrors { code message } } }';

/** One job handed to the worker. */
export interface WorkItem {
  id: string;
  type: string;
  queue: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
  dependencies: Record<string, unknown>;
  /** The service's span of this attempt (W3C traceparent) when it traces, else null. */
  traceparent: string | null;
}

export interface WorkMessage {
  kind: 'REGISTERED' | 'JOB' | 'CANCEL';
  workerId: string | null;
  heartbeatMs: number | null;
  lease: string | null;
  reason: string | null;
  job: WorkItem | null;
}
