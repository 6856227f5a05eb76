// API keys: who is calling, and what they may do. Keys come from configuration
// (API_KEYS); secrets are kept only as SHA-256 digests and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isScope, SCOPES, type Principal, type Scope } from './caller.js';

export interface ApiKeyEntry {
  name: string;
  secret: string;
  scopes: Scope[];
  /** The tenant the key acts in; null: an operator key, which sees every tenant. */
  tenant: string | null;
}

interface StoredKey {
  principal: Principal;
  digest: Buffer;
}

/** A tenant named in API_KEYS (tokens may carry any text up to 128 characters). */
const KEY_TENANT = /^[A-Za-z0-9_.-]{1,128}$/;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * Scopes, then an optional `:tenant`: scope names hold colons themselves, so a last
 * part that is not a scope is taken apart at its last colon.
 */
function scopesAndTenant(rest: string): { scopes: string[]; tenant: string | null } {
  const scopes = rest.split(',').map((scope) => scope.trim()).filter(Boolean);
  const last = scopes.at(-1);
  if (last === undefined || isScope(last) || !last.includes(':')) return { scopes, tenant: null };
  const cut = last.lastIndexOf(':');
  return { scopes: [...scopes.slice(0, -1), last.slice(0, cut)], tenant: last.slice(cut + 1) };
}

/**
 * Parses API_KEYS: entries separated by `;`, each `name:secret:scope,scope[:tenant]`, e.g.
 * `ci:9f8e7d6c5b4a39281706:jobs:read,jobs:write;ops:0a1b2c3d4e5f60718293:admin;acme-backend:5e4d3c2b1a0f9e8d7c6b:jobs:read,jobs:write:acme`.
 * Returns the problems found, naming the entry by position and name, never the secret.
 */
export function parseApiKeys(value: string): { keys: ApiKeyEntry[]; problems: string[] } {
  const keys: ApiKeyEntry[] = [];
  const problems: string[] = [];
  value
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const [name = '', secret = '', ...rest] = entry.split(':');
      const { scopes, tenant } = scopesAndTenant(rest.join(':'));
      const where = `entry ${index + 1}${name ? ` ("${name}")` : ''}`;
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.push(`${where}: name must be 1 to 64 letters, digits, _ . -`);
      if (!/^[A-Za-z0-9_.~+/=-]{16,256}$/.test(secret)) problems.push(`${where}: secret must be 16 to 256 characters of A-Z a-z 0-9 _ . ~ + / = -`);
      const unknown = scopes.filter((scope) => !isScope(scope));
      if (scopes.length === 0 || unknown.length) problems.push(`${where}: scopes must be some of ${SCOPES.join(', ')}`);
      if (tenant !== null && !KEY_TENANT.test(tenant)) problems.push(`${where}: tenant must be 1 to 128 letters, digits, _ . -`);
      // `jobs:write:own` with a tenant reads `jobs:write:own:acme`; without one it could be
      // a key of a tenant named "own" that lost its tenant: refused, never guessed.
      if (tenant === null && scopes.some((scope) => scope.endsWith(':own'))) {
        problems.push(`${where}: jobs:read:own and jobs:write:own need a tenant (\`name:secret:scopes:tenant\`); a tenant cannot be named "own"`);
      }
      // Queue control acts on every tenant's jobs at once: only an operator key may hold it.
      if (tenant !== null && scopes.includes('admin')) problems.push(`${where}: a key with a tenant cannot hold admin (it would act on every tenant's queues)`);
      if (keys.some((key) => key.name === name)) problems.push(`${where}: name used twice`);
      keys.push({ name, secret, scopes: scopes as Scope[], tenant });
    });
  if (new Set(keys.map((key) => key.secret)).size !== keys.length) problems.push('two entries share a secret');
  return { keys, problems };
}

export class ApiKeys {
  private readonly keys: StoredKey[];

  constructor(keys: ApiKeyEntry[]) {
    this.keys = keys.map(({ name, secret, scopes, tenant }) => ({
      principal: { credential: 'key', name, scopes, tenant, expiresAt: null },
      digest: digest(secret),
    }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key with this secret, if any. */
  find(secret: string): Principal | undefined {
    const given = digest(secret);
    // Every key is compared, so the time taken says nothing about which one is close.
    let found: StoredKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, given) && !found) found = key;
    return found?.principal;
  }
}
