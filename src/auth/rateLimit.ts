// Work rate limits, per API key (or per client address without one), shared by every
// API instance through Redis (rate-limiter-flexible). Every path that makes work counts
// against the same allowance: each job submitted, retried or cancelled, each schedule
// created. A refused request spends nothing, and nor does one whose input was refused
// (`refund`). With Redis unreachable, each instance falls back to counting in memory
// rather than refusing everything.
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitOptions {
  /** Jobs one caller may submit per minute; 0 turns the limit off. */
  jobsPerMinute: number;
  keyPrefix: string;
}

export class WorkRateLimit {
  private readonly limiter: RateLimiterRedis | undefined;
  private readonly client: Redis | undefined;

  constructor(
    connection: Redis,
    private readonly options: RateLimitOptions,
  ) {
    if (options.jobsPerMinute === 0) return;
    // Fails fast while Redis is away, so the in-memory insurance limiter answers instead.
    this.client = connection.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.client.on('error', () => undefined);
    const limits = { points: options.jobsPerMinute, duration: 60 };
    this.limiter = new RateLimiterRedis({
      storeClient: this.client,
      keyPrefix: options.keyPrefix,
      ...limits,
      insuranceLimiter: new RateLimiterMemory(limits),
    });
  }

  /** Counts `jobs` against `caller`; a RATE_LIMITED error (saying when to retry) when over, having counted nothing. */
  async take(caller: string, jobs: number): Promise<void> {
    if (!this.limiter || jobs === 0) return;
    try {
      await this.limiter.consume(caller, jobs);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      // consume() counted the refused points too: give them back.
      await this.refund(caller, jobs);
      const retryAfterMs = Math.max(result.msBeforeNext, 1);
      const over = jobs > this.options.jobsPerMinute ? ` (this request alone asks for ${jobs})` : '';
      throw new GraphQLError(
        `Rate limited: at most ${this.options.jobsPerMinute} jobs submitted, retried or cancelled (and schedules created) per minute for ${caller}${over}; retry in ${Math.ceil(retryAfterMs / 1000)} s. Nothing was stored.`,
        {
          extensions: {
            code: 'RATE_LIMITED',
            retryAfterMs,
            http: { status: 429, headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } },
          },
        },
      );
    }
  }

  /** Gives back what `take` counted for work that was then refused (nothing was stored). */
  async refund(caller: string, jobs: number): Promise<void> {
    if (!this.limiter || jobs === 0) return;
    await this.limiter.reward(caller, jobs).catch(() => undefined);
  }

  close(): void {
    this.client?.disconnect();
  }
}
