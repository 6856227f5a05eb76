// A flow's jobs as they stand, read once per change for every flowUpdated subscriber of
// this process. Each subscriber asks for a read that reflects at least the last event it
// saw; a read that began after that event was dispatched serves it, so however many
// subscribers a flow has and however fast its jobs change, at most one read of the flow
// runs at a time and one more waits (taking everyone who arrives meanwhile). Each
// subscriber then keeps only the jobs it may see.
import type { JobSummary } from '../jobs/model.js';
import type { JobQueries } from '../store/queries.js';

interface Read {
  /** Every event up to this id was dispatched (so committed) before the read began. */
  from: bigint;
  jobs: Promise<JobSummary[]>;
}

interface FlowReads {
  current: Read | null;
  /** The read that starts when `current` ends (its `from` is taken then). */
  next: { jobs: Promise<JobSummary[]>; begun: (jobs: Promise<JobSummary[]>) => void } | null;
}

export class FlowSnapshots {
  private readonly flows = new Map<string, FlowReads>();

  constructor(
    private readonly queries: JobQueries,
    /** The hub's lastId: every event up to it has been dispatched. */
    private readonly dispatched: () => bigint,
  ) {}

  /** Every job of the flow (of any tenant: callers narrow to their reach), as of after event `seen`. */
  jobs(flowId: string, seen: bigint): Promise<JobSummary[]> {
    let reads = this.flows.get(flowId);
    if (!reads) this.flows.set(flowId, (reads = { current: null, next: null }));
    if (reads.current && reads.current.from >= seen) return reads.current.jobs;
    if (!reads.current) return this.begin(flowId, reads).jobs;
    // A read is under way but began too early: the next one, after it, serves this caller.
    if (!reads.next) {
      let begun!: (jobs: Promise<JobSummary[]>) => void;
      reads.next = { jobs: new Promise<JobSummary[]>((resolve) => (begun = resolve)), begun };
    }
    return reads.next.jobs;
  }

  private begin(flowId: string, reads: FlowReads): Read {
    const read: Read = { from: this.dispatched(), jobs: this.queries.flowJobs(flowId, {}) };
    reads.current = read;
    const done = () => {
      if (reads.current !== read) return;
      reads.current = null;
      const next = reads.next;
      reads.next = null;
      if (next) next.begun(this.begin(flowId, reads).jobs);
      else this.flows.delete(flowId);
    };
    read.jobs.then(done, done);
    return read;
  }
}
