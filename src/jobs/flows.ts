// Flows: jobs that wait for each other. Submitting checks the graph (keys, edges, no
// cycle, the bounds on edges) and stores every job and edge in one statement; a job with
// dependencies starts BLOCKED. Once a change commits, the lifecycle tells this module,
// which moves the flow on with a flow step (store/flows.ts): a COMPLETED job releases what waits for it once all it
// waits for has COMPLETED; a job that ends FAILED or CANCELLED cancels every BLOCKED job
// downstream; a retried job brings back what was cancelled downstream of it. The
// reconciler's sweep finishes what a crash between a commit and its step left undone.
//
// Steps are per tenant: what one tenant's flows cause (a cascade through thousands of
// edges, say) never waits in line before another tenant's releases. While a tenant's
// step runs, what happens meanwhile gathers into its next one, so a busy tenant costs
// one step at a time, each carrying more.
import { poolOf, type Db } from '../db/client.js';
import { TRANSITIONS, type Change } from '../domain/transitions.js';
import type { Logger } from '../logger.js';
import { strandedBlocked, type FlowStep } from '../store/flows.js';

/** Jobs a sweep looks at per run. */
const SWEEP_LIMIT = 1000;

const emptyStep = (): FlowStep => ({ completed: [], ended: [], retried: [], blocked: [] });

interface TenantSteps {
  /** What happened since the running step began: the next step. */
  next: FlowStep | null;
  /** The tenant's steps, one after another, while any is due. */
  running: Promise<void> | null;
}

export class FlowProgress {
  private readonly tenants = new Map<string, TenantSteps>();

  constructor(
    /** Applies a step (the lifecycle: its changes get their effects like any other). */
    private readonly step: (step: FlowStep) => Promise<Change[]>,
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** Told of every committed change (in this process): moves flows on, a step per tenant at a time. */
  follow(changes: Change[]): void {
    for (const change of changes) {
      const { job, event, transition } = change;
      // A step's own changes need no step: it cancelled all that waited behind what it cancelled.
      if (job.flowId === null || TRANSITIONS[transition].by === 'flow') continue;
      const kind = job.status === 'COMPLETED' ? 'completed' : job.status === 'FAILED' || job.status === 'CANCELLED' ? 'ended' : event.type === 'RETRIED' && job.status === 'PENDING' ? 'retried' : null;
      if (kind === null) continue;
      this.nextStep(job.tenant)[kind].push(job.id);
      this.kick(job.tenant);
    }
  }

  /** Waits until everything this process was told has been acted on (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.tenants.size) await Promise.all([...this.tenants.values()].map((steps) => steps.running));
  }

  /** Releases or cancels BLOCKED jobs whose dependencies settled while nobody was told (a crash after a commit). */
  async sweep(): Promise<void> {
    const stranded = await strandedBlocked(poolOf(this.db), SWEEP_LIMIT);
    if (stranded.length) await this.step({ ...emptyStep(), blocked: stranded });
  }

  private nextStep(tenant: string): FlowStep {
    let steps = this.tenants.get(tenant);
    if (!steps) this.tenants.set(tenant, (steps = { next: null, running: null }));
    return (steps.next ??= emptyStep());
  }

  private kick(tenant: string): void {
    const steps = this.tenants.get(tenant);
    if (!steps || steps.running) return;
    steps.running = (async () => {
      while (steps.next) {
        const step = steps.next;
        steps.next = null;
        await this.step(step).catch((error: unknown) => this.logger.warn({ err: error, tenant }, 'flow not moved on yet; the reconciler will'));
      }
      // Nothing is due (follow() adds synchronously, so none can arrive between the check and this).
      this.tenants.delete(tenant);
    })();
  }

}
