// How many jobs of one tenant run at once across every worker (TENANT_CONCURRENCY), so a
// tenant's long jobs never hold every slot: each running job of a tenant holds a lease in
// a Redis sorted set of that tenant, scored by when it runs out. Workers renew the leases
// of what they run (maintenance/tasks.ts); a worker that dies stops renewing, and its leases run out after the
// lease time (as its BullMQ locks do, after which its jobs run elsewhere). The key of a
// tenant without running jobs expires with its last lease: bounded by tenants running now.
//
// Jobs of no tenant (operator keys, an open service) are never limited here: the
// deployment's own concurrency bounds them.
import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { within } from './within.js';

/** Takes a slot for `member` if fewer than the limit are held (or it holds one already); 1 if taken. Clocks are Redis's. */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expiry = now + tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], expiry, ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

/** Pushes the leases of `ARGV[2..]` (still held) forward by ARGV[1] ms. */
const RENEW = `
local time = redis.call('TIME')
local expiry = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

const REDIS_WAIT_MS = 2000;

export class TenantSlots {
  /** Leases this process holds: job id to tenant. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** Jobs of one tenant running at once; 0: no limit. */
    private readonly limit: number,
    /** How long a lease lasts unless renewed (a worker's lock time). */
    private readonly leaseMs: number,
  ) {}

  /** Whether a job of this tenant may start now; if so it holds a slot until release(). */
  async acquire(tenant: string, jobId: string): Promise<boolean> {
    if (this.limit === 0 || tenant === '') return true;
    const taken = await within(this.redis.eval(ACQUIRE, 1, this.key(tenant), String(this.limit), String(this.leaseMs), jobId), REDIS_WAIT_MS, 'taking a tenant slot');
    if (taken !== 1) return false;
    this.held.set(jobId, tenant);
    return true;
  }

  async release(jobId: string): Promise<void> {
    const tenant = this.held.get(jobId);
    if (tenant === undefined) return;
    this.held.delete(jobId);
    // If Redis is away the lease runs out by itself.
    await within(this.redis.zrem(this.key(tenant), jobId), REDIS_WAIT_MS, 'giving back a tenant slot').catch(() => undefined);
  }

  /** How often the leases must be renewed: a third of their life. */
  get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.leaseMs / 3));
  }

  /** Pushes the leases this process holds forward (maintenance/tasks.ts runs it every renewEveryMs). */
  async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const byTenant = new Map<string, string[]>();
    for (const [jobId, tenant] of this.held) byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), jobId]);
    const pipeline = this.redis.pipeline();
    for (const [tenant, jobIds] of byTenant) pipeline.eval(RENEW, 1, this.key(tenant), String(this.leaseMs), ...jobIds);
    await within(pipeline.exec(), REDIS_WAIT_MS, 'renewing tenant slots');
  }

  /** Tenants are free text: hashed, so no name can spell another key (or a cluster hash tag). */
  private key(tenant: string): string {
    return `${this.prefix}:tenant-slots:${createHash('sha256').update(tenant).digest('hex').slice(0, 32)}`;
  }
}
