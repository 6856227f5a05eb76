// The delay before a job's next attempt. Pure functions, so the maths is unit-tested.
import type { Backoff } from './model.js';

export interface BackoffState {
  /** Failed attempts so far, including the one that just failed (1 after the first). */
  failures: number;
  /** The delay chosen before the previous retry, if any: decorrelated jitter grows from it. */
  previousDelayMs: number | null;
}

/** Integer in [min, max]; injectable so tests can pin the randomness. */
export type Random = (min: number, max: number) => number;

export const uniformRandom: Random = (min, max) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * The un-jittered delay: `delayMs` (FIXED) or `delayMs * 2^(failures-1)` (EXPONENTIAL),
 * never above `maxDelayMs`.
 */
export function baseDelay(backoff: Backoff, failures: number): number {
  if (backoff.type === 'FIXED') return Math.min(backoff.delayMs, backoff.maxDelayMs);
  // 2^n overflows to Infinity long before it matters; min() brings it back to the cap.
  return Math.min(backoff.delayMs * 2 ** Math.max(failures - 1, 0), backoff.maxDelayMs);
}

/**
 * The delay before the next attempt, in whole milliseconds, after jitter
 * (see "Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 * - NONE: the base delay.
 * - FULL: uniform in [0, base]: spreads a thundering herd the most.
 * - EQUAL: base/2 + uniform in [0, base/2]: never less than half the base.
 * - DECORRELATED: uniform in [delayMs, 3 × previous delay], capped by maxDelayMs;
 *   grows from the previous delay rather than from the attempt count.
 */
export function nextDelay(backoff: Backoff, state: BackoffState, random: Random = uniformRandom): number {
  const base = baseDelay(backoff, state.failures);
  switch (backoff.jitter) {
    case 'NONE':
      return base;
    case 'FULL':
      return random(0, base);
    case 'EQUAL': {
      const half = Math.floor(base / 2);
      return half + random(0, base - half);
    }
    case 'DECORRELATED': {
      const floor = Math.min(backoff.delayMs, backoff.maxDelayMs);
      const previous = state.previousDelayMs ?? floor;
      return Math.min(backoff.maxDelayMs, random(floor, Math.max(floor, previous * 3)));
    }
  }
}
