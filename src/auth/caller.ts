// Who is calling, and what they may do. Two kinds of credential name a caller: an API
// key (configured, for services and operators) and a signed token (JWT, for frontends
// acting as their signed-in users, or a job token this service minted for one job).
// Both become a Principal; everything past authentication sees only that.

export const SCOPES = ['jobs:read', 'jobs:write', 'jobs:read:own', 'jobs:write:own', 'jobs:work', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export interface Principal {
  credential: 'key' | 'token' | 'job-token';
  /** The key's name or the token's subject: the owner of what it submits. */
  name: string;
  /** The tenant it acts in; null for an operator key, which sees every tenant. */
  tenant: string | null;
  scopes: readonly Scope[];
  /** When the credential stops being valid (ms since the epoch); null for keys. */
  expiresAt: number | null;
  /** A job token: the one job it may read. */
  jobId?: string;
}

/**
 * Who made a request: somebody known, nobody (with why a credential was refused, or
 * `unavailable` when it could not be checked: the identity provider is out of reach),
 * or anyone (no credentials configured).
 */
export type Caller = { kind: 'known'; who: Principal } | { kind: 'open' } | { kind: 'anonymous'; problem: string; unavailable?: true };

/** Whether the caller holds `scope` itself (admin holds every scope; an open service grants all). */
export function holds(caller: Caller, scope: Scope): boolean {
  if (caller.kind === 'open') return true;
  if (caller.kind === 'anonymous') return false;
  return caller.who.scopes.includes('admin') || caller.who.scopes.includes(scope);
}

/** Reading needs jobs:read or jobs:read:own; writing jobs:write or jobs:write:own. */
export function mayRead(caller: Caller): boolean {
  return holds(caller, 'jobs:read') || holds(caller, 'jobs:read:own');
}

/**
 * The root fields of the worker protocol (remote workers, docs/workers.md): they need
 * jobs:work, and nothing else does; an operation of only these needs nothing more.
 */
export const WORKER_FIELDS: ReadonlySet<string> = new Set([
  'work',
  'workerHeartbeat',
  'drainWorker',
  'reportProgress',
  'appendJobLogs',
  'completeJob',
  'failJob',
  'handBackJob',
]);

export function mayWrite(caller: Caller): boolean {
  return holds(caller, 'jobs:write') || holds(caller, 'jobs:write:own');
}

/** The credential's expiry has passed (a WebSocket outlives the token it opened with). */
export function expired(caller: Caller, now = Date.now()): boolean {
  return caller.kind === 'known' && caller.who.expiresAt !== null && caller.who.expiresAt <= now;
}
