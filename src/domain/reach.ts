// Reach: which jobs (and schedules) a caller may see or change. Every read, subscription,
// mutation, schedule and export is narrowed to the caller's reach, in SQL (store/) or,
// for live events, in memory (domain/events.ts). A job outside it answers as if it did
// not exist.

/** Jobs of one tenant ('' = jobs without one), of one owner within it, or one job; an absent field does not narrow. */
export interface Reach {
  tenant?: string;
  owner?: string;
  jobId?: string;
}

/** What a caller may read, and what it may change (auth/access.ts works them out). */
export interface Reaches {
  reads: Reach;
  writes: Reach;
}

/** What a job (or schedule) carries that decides whether a reach covers it. */
export interface Owned {
  id: string;
  tenant: string;
  owner: string | null;
}

export function inReach(reach: Reach, owned: Owned): boolean {
  return (
    (reach.tenant === undefined || reach.tenant === owned.tenant) &&
    (reach.owner === undefined || reach.owner === owned.owner) &&
    (reach.jobId === undefined || reach.jobId === owned.id)
  );
}

/**
 * What a caller may do to a job (or schedule): change it, only read it, or nothing (it
 * is answered as missing). Write reach alone lets a caller change what it cannot read.
 */
export function accessTo(caller: Reaches, owned: Owned): 'change' | 'read' | 'none' {
  if (inReach(caller.writes, owned)) return 'change';
  return inReach(caller.reads, owned) ? 'read' : 'none';
}

/** Who submits a job, as the job records it, and whose idempotency keys it shares. */
export interface Submitter {
  tenant: string;
  /** `key:<name>` or `token:<subject>` (auth/access.ts, ownerKey). */
  owner: string | null;
  /** The submitter reads only its own jobs: handlers reading jobs on its behalf do too. */
  ownerOnly: boolean;
  /** An API key's name or a token's subject (or a schedule's name), as Job.submittedBy. */
  submittedBy: string | null;
  /**
   * Where an idempotency key names one job: the tenant, or for a caller that reads only
   * its own jobs the owner within it (else a key would find a job it may not see); an
   * operator key keeps its own, as before tenants. Tenants and subjects are free text,
   * so the parts are JSON-encoded: no tenant's scope can spell another's.
   */
  idempotencyScope: string;
}

/**
 * The jobs a job's handler may read on its submitter's behalf (data.export): what the
 * submitter could read, as its job recorded it. An operator key's jobs reach every tenant.
 */
export function handlerReach(job: { tenant: string; owner: string | null; ownerOnly: boolean }): Reach {
  if (job.ownerOnly) return { tenant: job.tenant, owner: job.owner ?? '' };
  return job.tenant === '' ? {} : { tenant: job.tenant };
}
