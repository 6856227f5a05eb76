// Job.waitingFor's words for each reason a job waits, from the facts a request reads
// (the end-to-end cases, queue concurrency and rate limits, are in api.triage.test.ts).
import { describe, expect, it } from 'vitest';
import { rateInWords, waitingFor, type ServiceFacts } from '../src/jobs/waiting.js';
import type { JobSummary } from '../src/domain/model.js';

const worker = { id: 'w', kind: 'IN_PROCESS' as const, hostname: 'h', pid: 1, queues: ['default'], concurrency: 2, types: ['echo'], running: [], startedAt: '', lastSeenAt: '' };
const job = (fields: Partial<JobSummary>) => ({ status: 'PENDING', queue: 'default', type: 'echo', runAt: null, tenant: 'acme', runnerScope: null, dependencyCount: 0, ...fields }) as JobSummary;
const facts = (more: Partial<ServiceFacts>): ServiceFacts => ({ paused: new Set(), workers: [worker], ...more });

describe('Job.waitingFor', () => {
  it("names the tenant's limit when its jobs fill TENANT_CONCURRENCY", () => {
    const running = { byQueue: new Map([['default', 1]]), byTenant: new Map([['acme', 3]]) };
    expect(waitingFor(job({}), facts({ running, tenantConcurrency: 3 }))).toBe("its tenant's running jobs to finish: 3 of tenant acme's jobs run, at most 3 at once (TENANT_CONCURRENCY)");
    // Jobs of no tenant are not counted.
    expect(waitingFor(job({ tenant: '' }), facts({ running, tenantConcurrency: 3 }))).toMatch(/^a free worker: it runs as soon as/);
  });

  it('says when every slot of the workers that run the type is busy', () => {
    const running = { byQueue: new Map([['default', 2]]), byTenant: new Map() };
    expect(waitingFor(job({}), facts({ running }))).toBe('a free worker: all 2 slots of the workers that run "echo" in "default" are busy');
  });

  it('says limits in plain units', () => {
    expect(rateInWords(10, 1000)).toBe('10 jobs per second');
    expect(rateInWords(1, 60_000)).toBe('1 job per minute');
    expect(rateInWords(5, 250)).toBe('5 jobs per 250 ms');
    expect(rateInWords(5, 30_000)).toBe('5 jobs per 30 s');
  });
});
