// API keys: who is calling, and what they may do. Keys come from configuration
// (API_KEYS); secrets are kept only as SHA-256 digests and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['jobs:read', 'jobs:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  name: string;
  scopes: Scope[];
}

interface StoredKey extends ApiKey {
  digest: Buffer;
}

/** Who made a request: a key, or nobody (with the reason when a key was given but wrong). */
export type Caller = { kind: 'key'; key: ApiKey } | { kind: 'open' } | { kind: 'anonymous'; problem: string };

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Parses API_KEYS: entries separated by `;`, each `name:secret:scope,scope`, e.g.
 * `ci:9f8e7d6c5b4a39281706:jobs:read,jobs:write;ops:0a1b2c3d4e5f60718293:admin`.
 * Returns the problems found, naming the entry by position and name, never the secret.
 */
export function parseApiKeys(value: string): { keys: { name: string; secret: string; scopes: Scope[] }[]; problems: string[] } {
  const keys: { name: string; secret: string; scopes: Scope[] }[] = [];
  const problems: string[] = [];
  value
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const [name = '', secret = '', ...rest] = entry.split(':');
      const scopes = rest.join(':').split(',').map((scope) => scope.trim()).filter(Boolean);
      const where = `entry ${index + 1}${name ? ` ("${name}")` : ''}`;
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.push(`${where}: name must be 1 to 64 letters, digits, _ . -`);
      if (!/^[A-Za-z0-9_.~+/=-]{16,256}$/.test(secret)) problems.push(`${where}: secret must be 16 to 256 characters of A-Z a-z 0-9 _ . ~ + / = -`);
      const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
      if (scopes.length === 0 || unknown.length) problems.push(`${where}: scopes must be some of ${SCOPES.join(', ')}`);
      if (keys.some((key) => key.name === name)) problems.push(`${where}: name used twice`);
      keys.push({ name, secret, scopes: scopes as Scope[] });
    });
  if (new Set(keys.map((key) => key.secret)).size !== keys.length) problems.push('two entries share a secret');
  return { keys, problems };
}

export class ApiKeys {
  private readonly keys: StoredKey[];
  /** Callers already identified, by their request (an HTTP request, or a WebSocket's upgrade request). */
  private readonly known = new WeakMap<object, Caller>();

  constructor(keys: { name: string; secret: string; scopes: Scope[] }[]) {
    this.keys = keys.map(({ name, secret, scopes }) => ({ name, scopes, digest: digest(secret) }));
  }

  /** No key configured: the service is open (development only). */
  get open(): boolean {
    return this.keys.length === 0;
  }

  /**
   * The caller of `request`: identified once, where the request is first looked at (the
   * HTTP layer, a WebSocket's connection_init), and remembered for its GraphQL contexts.
   */
  callerOf(request: object | undefined, authorization: string | null | undefined): Caller {
    const known = request && this.known.get(request);
    if (known) return known;
    const caller = this.identify(authorization);
    if (request) this.known.set(request, caller);
    return caller;
  }

  /** Identifies the caller from an `Authorization: Bearer <key>` value. */
  identify(authorization: string | null | undefined): Caller {
    if (this.open) return { kind: 'open' };
    if (!authorization) return { kind: 'anonymous', problem: 'no API key: send `Authorization: Bearer <key>`' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { kind: 'anonymous', problem: 'malformed Authorization: expected `Bearer <key>`' };
    const given = digest(match[1] as string);
    // Every key is compared, so the time taken says nothing about which one is close.
    let found: StoredKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, given) && !found) found = key;
    return found ? { kind: 'key', key: { name: found.name, scopes: found.scopes } } : { kind: 'anonymous', problem: 'unknown API key' };
  }
}

/** Whether the caller holds `scope` (admin holds every scope; an open service grants all). */
export function allows(caller: Caller, scope: Scope): boolean {
  if (caller.kind === 'open') return true;
  if (caller.kind === 'anonymous') return false;
  return caller.key.scopes.includes('admin') || caller.key.scopes.includes(scope);
}
