// The small periodic tasks, each a pass of something that lives elsewhere (the runner
// and its rules are in periodic.ts).
import type { OutputDir } from '../files/outputDir.js';
import type { FlowProgress } from '../jobs/flows.js';
import type { TenantSlots } from '../redis/tenantSlots.js';
import type { PeriodicTask } from './periodic.js';

/** Releases or cancels BLOCKED jobs whose dependencies settled while nobody was told (a crash between a commit and its flow step). */
export function flowSweep(flows: FlowProgress, intervalMs: number): PeriodicTask {
  return { name: 'flow sweep', intervalMs, pass: () => flows.sweep() };
}

/** Keeps the tenant slots this process holds (TENANT_CONCURRENCY) from running out while their jobs run. */
export function slotLeases(slots: TenantSlots): PeriodicTask {
  return { name: 'tenant slot leases', intervalMs: slots.renewEveryMs, pass: () => slots.renew() };
}

/** Deletes job output files past OUTPUT_RETENTION_MS, and partial ones a killed process left. */
export function outputSweep(output: OutputDir): PeriodicTask {
  return { name: 'output sweep', intervalMs: output.sweepIntervalMs, pass: async () => void (await output.sweep()) };
}
