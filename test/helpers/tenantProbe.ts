// What another tenant sees while one does damage: its simple reads keep being answered
// quickly and its own small flows keep running. A probe runs beside the attack and
// reports the slowest read, any refusal, and how long its 3-step chain took.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { graphql } from './hostile.js';

export interface ProbeReport {
  reads: number;
  slowestReadMs: number;
  /** Errors the other tenant got (codes, or the messages of failed requests). */
  errors: string[];
  /** Time from submitting its chain to the chain reading COMPLETED. */
  chainMs: number | null;
}

const CHAIN = 'mutation ($input: SubmitFlowInput!) { submitFlow(input: $input) { flow { id } userErrors { message } } }';
const FLOW = 'query ($id: ID!) { flow(id: $id) { status } }';

/** Starts probing as tenant `key` on `url`; `stop()` ends it and gives the report. */
export function probeOtherTenant(url: string, key: string): { stop(): Promise<ProbeReport> } {
  const report: ProbeReport = { reads: 0, slowestReadMs: 0, errors: [], chainMs: null };
  let running = true;
  const record = (errors: { message: string; extensions?: Record<string, unknown> }[] | undefined) => {
    for (const error of errors ?? []) report.errors.push(String(error.extensions?.code ?? error.message));
  };
  const reads = (async () => {
    while (running) {
      const began = performance.now();
      try {
        const answer = await graphql(url, key, '{ jobs(first: 1) { nodes { id status } } }');
        record(answer.body.errors);
      } catch (error) {
        report.errors.push((error as Error).message);
      }
      report.slowestReadMs = Math.max(report.slowestReadMs, performance.now() - began);
      report.reads++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const chain = (async () => {
    const began = performance.now();
    const jobs = ['one', 'two', 'three'].map((name, index, all) => ({ key: name, dependsOn: index ? [all[index - 1]] : [], job: { type: 'echo', payload: { name } } }));
    const submitted = await graphql(url, key, CHAIN, { input: { name: 'probe', jobs } });
    record(submitted.body.errors);
    const id = submitted.body.data?.submitFlow?.flow?.id as string | undefined;
    if (!id) return;
    while (running || report.chainMs === null) {
      const answer = await graphql(url, key, FLOW, { id });
      record(answer.body.errors);
      if (answer.body.data?.flow?.status === 'COMPLETED') {
        report.chainMs = performance.now() - began;
        return;
      }
      if (performance.now() - began > 60_000) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([reads, chain]);
      return report;
    },
  };
}

/** The same probe in a process of its own (probeProcess.ts), so the test's own load cannot slow it. */
export async function probeInOwnProcess(url: string, key: string): Promise<{ stop(): Promise<ProbeReport> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', new URL('./probeProcess.ts', import.meta.url).pathname, url, key], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the probe exited with ${code}`)));
  });
  await next();
  return {
    async stop() {
      const report = next();
      child.stdin.write('stop\n');
      return JSON.parse(await report) as ProbeReport;
    },
  };
}
