// Flows end to end: a fan-in (many jobs, then one that waits for all of them) and a
// chain (each job waits for the one before), submitted with submitFlow and timed until
// the flow reads COMPLETED. What a release costs shows as the chain's time per step.
import type { ServiceClient } from './e2e.js';
import { sleep } from './stats.js';

const SUBMIT = 'mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } userErrors { message } } }';
const STATUS = 'query ($id: ID!) { flow(id: $id) { status } }';

async function untilDone(service: ServiceClient, id: string): Promise<void> {
  for (;;) {
    const { flow } = await service.post<{ flow: { status: string } }>(STATUS, { id });
    if (flow.status !== 'RUNNING') {
      if (flow.status !== 'COMPLETED') throw new Error(`flow ended ${flow.status}`);
      return;
    }
    await sleep(10);
  }
}

async function timed(service: ServiceClient, jobs: { key: string; dependsOn?: string[] }[]): Promise<number> {
  const started = performance.now();
  const { submitFlow } = await service.post<{ submitFlow: { flow: { id: string } | null; userErrors: unknown[] } }>(SUBMIT, {
    input: { jobs: jobs.map(({ key, dependsOn }) => ({ key, dependsOn, job: { type: 'echo', payload: { key } } })) },
  });
  if (!submitFlow.flow) throw new Error(`flow refused: ${JSON.stringify(submitFlow.userErrors)}`);
  await untilDone(service, submitFlow.flow.id);
  return performance.now() - started;
}

export interface FlowRounds {
  fanIn: { jobs: number; ms: number; jobsPerSecond: number };
  chain: { depth: number; ms: number; msPerStep: number };
}

/** A fan-in of `width` jobs into one (width + 1 jobs, within MAX_FLOW_SIZE), and a chain `depth` long. */
export async function flowRounds(service: ServiceClient, width: number, depth: number): Promise<FlowRounds> {
  const leaves = Array.from({ length: width }, (_, index) => ({ key: `leaf-${index}` }));
  const fanInMs = await timed(service, [...leaves, { key: 'sink', dependsOn: leaves.map((leaf) => leaf.key) }]);
  const chainMs = await timed(service, Array.from({ length: depth }, (_, index) => ({ key: `step-${index}`, dependsOn: index ? [`step-${index - 1}`] : [] })));
  return {
    fanIn: { jobs: width + 1, ms: Math.round(fanInMs), jobsPerSecond: Math.round(((width + 1) / fanInMs) * 1000) },
    chain: { depth, ms: Math.round(chainMs), msPerStep: Math.round((chainMs / depth) * 10) / 10 },
  };
}
