// A caller's reach (domain/reach.ts) from its credential, and what its submissions record.
import type { Reach, Reaches, Submitter } from '../domain/reach.js';
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
 * What a caller may read: its tenant's jobs, and only its own without jobs:read (a
 * write-only caller reads what it submitted, in a mutation's answer); and what it may
 * change: its tenant's, and only its own without jobs:write.
 */
export function callerReaches(caller: Caller): Reaches {
  return { reads: reach(caller, 'jobs:read'), writes: reach(caller, 'jobs:write') };
}

export function submitterOf(caller: Caller): Submitter {
  if (caller.kind !== 'known') return { tenant: '', owner: null, ownerOnly: false, submittedBy: null, idempotencyScope: '' };
  const { who } = caller;
  const owner = ownerKey(who);
  const ownerOnly = reach(caller, 'jobs:read').owner !== undefined;
  // Key names are [A-Za-z0-9_.-]: never a JSON array, nor `schedule:<id>`.
  const idempotencyScope = who.tenant === null ? who.name : JSON.stringify(ownerOnly ? [who.tenant, owner] : [who.tenant]);
  return { tenant: who.tenant ?? '', owner, ownerOnly, submittedBy: who.name, idempotencyScope };
}
