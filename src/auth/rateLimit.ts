// Work rate limits, per caller (API key, token subject, or client address without
// either) and per tenant, shared by every API instance through Redis (rate-limiter-flexible). Every path that makes work counts
// against the same allowance: each job submitted, retried or cancelled, each schedule
// created. A refused request spends nothing, and nor does one whose input was refused
// (`refund`). With Redis unreachable, each instance falls back to counting in memory
// rather than refusing everything.
import { GraphQLError } from 'graphql';
import { duplicate, type RedisClient } from '../redis/connection.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { type ErrorCode } from '../domain/errors.js';

export interface RateLimitOptions {
  /** Jobs one caller may submit per minute; 0 turns the limit off. */
  jobsPerMinute: number;
  /** Jobs all callers of one tenant may submit per minute together; 0 turns the limit off. */
  tenantJobsPerMinute: number;
  keyPrefix: string;
}

/** Whom one request's work counts against. */
export interface RateKeys {
  caller: string;
  /** null: not in a tenant (an operator key, or an open service). */
  tenant: string | null;
}

/**
 * Whom a credential's work counts against. Subjects are unique only within their
 * tenant, key names across the service; tenants and subjects are free text, so they are
 * JSON-encoded, never joined with a separator.
 */
export function rateKeysOf(who: { credential: string; tenant: string | null; name: string }): RateKeys {
  const caller = who.credential === 'key' ? `key:${who.name}` : JSON.stringify([who.credential, who.tenant, who.name]);
  return { caller, tenant: who.tenant === null ? null : JSON.stringify(['tenant', who.tenant]) };
}

/**
 * The same keys from what a job or schedule records of its submitter (tenant '' for
 * none, owner `key:<name>` or `token:<subject>`, as auth/access.ts writes them), so work
 * a schedule makes counts against whoever created it; `fallback` when it records nobody.
 */
export function rateKeysOfOwner(tenant: string, owner: string | null, fallback: string): RateKeys {
  const separator = owner?.indexOf(':') ?? -1;
  if (!owner || separator < 0) return { caller: fallback, tenant: tenant === '' ? null : JSON.stringify(['tenant', tenant]) };
  return rateKeysOf({ credential: owner.slice(0, separator), tenant: tenant === '' ? null : tenant, name: owner.slice(separator + 1) });
}

interface Limit {
  limiter: RateLimiterRedis;
  perMinute: number;
  key: (keys: RateKeys) => string | null;
  /** Whose allowance it is, in the refusal's words. */
  whose: string;
}

export class WorkRateLimit {
  private readonly limits: Limit[] = [];
  private readonly client: RedisClient | undefined;

  constructor(connection: RedisClient, options: RateLimitOptions) {
    if (options.jobsPerMinute === 0 && options.tenantJobsPerMinute === 0) return;
    // Fails fast while Redis is away, so the in-memory insurance limiter answers instead.
    const client = duplicate(connection, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    this.client = client;
    const add = (perMinute: number, prefix: string, key: Limit['key'], whose: string) => {
      if (perMinute === 0) return;
      const limits = { points: perMinute, duration: 60 };
      const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: prefix, ...limits, insuranceLimiter: new RateLimiterMemory(limits) });
      this.limits.push({ limiter, perMinute, key, whose });
    };
    add(options.jobsPerMinute, options.keyPrefix, (keys) => keys.caller, 'for this caller (RATE_LIMIT_JOBS_PER_MINUTE)');
    add(options.tenantJobsPerMinute, `${options.keyPrefix}:tenant`, (keys) => keys.tenant, "for this caller's tenant, all its callers together (RATE_LIMIT_TENANT_JOBS_PER_MINUTE)");
  }

  /**
   * Counts `jobs` against the caller and its tenant; a RATE_LIMITED error (saying when
   * to retry) when either is over, having counted nothing.
   */
  async take(keys: RateKeys, jobs: number): Promise<void> {
    if (jobs === 0) return;
    const taken: Limit[] = [];
    for (const limit of this.limits) {
      const key = limit.key(keys);
      if (key === null) continue;
      try {
        await limit.limiter.consume(key, jobs);
        taken.push(limit);
      } catch (result) {
        if (!(result instanceof RateLimiterRes)) throw result;
        // consume() counted the refused points too, and the limits before it counted theirs: give them back.
        for (const counted of [...taken, limit]) await counted.limiter.reward(counted.key(keys) as string, jobs).catch(() => undefined);
        throw this.limited(limit, jobs, result);
      }
    }
  }

  /** Gives back what `take` counted for work that was then refused (nothing was stored). */
  async refund(keys: RateKeys, jobs: number): Promise<void> {
    if (jobs === 0) return;
    for (const limit of this.limits) {
      const key = limit.key(keys);
      if (key !== null) await limit.limiter.reward(key, jobs).catch(() => undefined);
    }
  }

  close(): void {
    this.client?.disconnect();
  }

  private limited(limit: Limit, jobs: number, result: RateLimiterRes): GraphQLError {
    const retryAfterMs = Math.max(result.msBeforeNext, 1);
    const over = jobs > limit.perMinute ? ` (this request alone asks for ${jobs})` : '';
    return new GraphQLError(
      `Rate limited: at most ${limit.perMinute} jobs submitted, retried or cancelled (and schedules created) per minute ${limit.whose}${over}; retry in ${Math.ceil(retryAfterMs / 1000)} s. Nothing was stored.`,
      {
        extensions: {
          code: 'RATE_LIMITED' satisfies ErrorCode,
          retryAfterMs,
          http: { status: 429, headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } },
        },
      },
    );
  }
}
