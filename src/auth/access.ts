// Which jobs a caller reaches: every read, subscription, mutation, schedule and export
// narrows to the caller's Reach, in SQL (store/) or, for live events, in memory. A job
// outside it answers as if it did not exist.
import { holds, type Caller, type Principal } from './caller.js';

/**
 * How a job records its owner: the credential kind, then the name (`key:ci`,
 * `token:alice`), so a token whose subject is a key's name owns nothing of the key's.
 */
export function ownerKey(who: Pick<Principal, 'credential' | 'name'>): string {
  return `${who.credential === 'key' ? 'key' : 'token'}:${who.name}`;
}

/** The name an owner shows as (Job.owner): a key's name or a token's subject. */
export function ownerName(owner: string | null): string | null {
  return owner === null ? null : owner.slice(owner.indexOf(':') + 1);
}

/** Jobs of one tenant ('' = jobs without one), of one owner within it, or one job; an absent field does not narrow. */
export interface Reach {
  tenant?: string;
  owner?: string;
  jobId?: string;
}

/** What a job carries that decides whether a caller reaches it. */
export interface Owned {
  id: string;
  tenant: string;
  owner: string | null;
}

function reach(caller: Caller, all: 'jobs:read' | 'jobs:write'): Reach {
  if (caller.kind !== 'known') return {};
  const { who } = caller;
  // A key without a tenant is an operator's: every tenant, unless limited to its own.
  const own = !holds(caller, all);
  const result: Reach = who.tenant === null && !own ? {} : { tenant: who.tenant ?? '' };
  if (own) result.owner = ownerKey(who);
  if (who.jobId) result.jobId = who.jobId;
  return result;
}

/**
 * The jobs a caller may read: its tenant's, and only its own without jobs:read (a
 * write-only caller reads what it submitted, in a mutation's answer).
 */
export function readReach(caller: Caller): Reach {
  return reach(caller, 'jobs:read');
}

/** The jobs a caller may change: its tenant's, and only its own without jobs:write. */
export function writeReach(caller: Caller): Reach {
  return reach(caller, 'jobs:write');
}

export function reaches(reach: Reach, job: Owned): boolean {
  return (
    (reach.tenant === undefined || reach.tenant === job.tenant) &&
    (reach.owner === undefined || reach.owner === job.owner) &&
    (reach.jobId === undefined || reach.jobId === job.id)
  );
}

/**
 * What a caller may do to a job (or schedule): change it, only read it, or nothing (it
 * is answered as missing). Write reach alone lets a caller change what it cannot read.
 */
export function accessTo(caller: { reads: Reach; writes: Reach }, owned: Owned): 'change' | 'read' | 'none' {
  if (reaches(caller.writes, owned)) return 'change';
  return reaches(caller.reads, owned) ? 'read' : 'none';
}

/** What a caller's submissions record about it, and whose idempotency keys it shares. */
export interface Submitter {
  tenant: string;
  /** As ownerKey gives it. */
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

export function submitterOf(caller: Caller): Submitter {
  if (caller.kind !== 'known') return { tenant: '', owner: null, ownerOnly: false, submittedBy: null, idempotencyScope: '' };
  const { who } = caller;
  const owner = ownerKey(who);
  const ownerOnly = readReach(caller).owner !== undefined;
  // Key names are [A-Za-z0-9_.-]: never a JSON array, nor `schedule:<id>`.
  const idempotencyScope = who.tenant === null ? who.name : JSON.stringify(ownerOnly ? [who.tenant, owner] : [who.tenant]);
  return { tenant: who.tenant ?? '', owner, ownerOnly, submittedBy: who.name, idempotencyScope };
}

/**
 * The jobs a job's handler may read on its submitter's behalf (data.export): what the
 * submitter could read, as its job recorded it. An operator key's jobs reach every tenant.
 */
export function jobReach(job: { tenant: string; owner: string | null; ownerOnly: boolean }): Reach {
  if (job.ownerOnly) return { tenant: job.tenant, owner: job.owner ?? '' };
  return job.tenant === '' ? {} : { tenant: job.tenant };
}
