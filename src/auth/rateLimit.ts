// Submission rate limits, per API key (or per client address without one), shared by
// every API instance through Redis (rate-limiter-flexible). With Redis unreachable,
// each instance falls back to counting in memory rather than refusing everything.
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitOptions {
  /** Jobs one caller may submit per minute; 0 turns the limit off. */
  jobsPerMinute: number;
  keyPrefix: string;
}

export class SubmitRateLimit {
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

  /** Counts `jobs` against `caller`; a RATE_LIMITED error (saying when to retry) when over. */
  async take(caller: string, jobs: number): Promise<void> {
    if (!this.limiter || jobs === 0) return;
    try {
      await this.limiter.consume(caller, jobs);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      const retryAfterMs = Math.max(result.msBeforeNext, 1);
      const over = jobs > this.options.jobsPerMinute ? ` (this request alone asks for ${jobs})` : '';
      throw new GraphQLError(
        `Rate limited: at most ${this.options.jobsPerMinute} jobs per minute for ${caller}${over}; retry in ${Math.ceil(retryAfterMs / 1000)} s. Nothing was stored.`,
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

  close(): void {
    this.client?.disconnect();
  }
}
