import { describe, expect, it } from 'vitest';
import { baseDelay, nextDelay, type Random } from '../src/domain/backoff.js';
import type { Backoff } from '../src/domain/model.js';

const lowest: Random = (min) => min;
const highest: Random = (_min, max) => max;

describe('backoff', () => {
  const exp: Backoff = { type: 'EXPONENTIAL', delayMs: 100, maxDelayMs: 1000, jitter: 'NONE' };

  it('doubles an exponential delay per failure and caps it at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((failures) => baseDelay(exp, failures))).toEqual([100, 200, 400, 800, 1000, 1000]);
    // 2^2000 is Infinity: still the cap, not NaN.
    expect(baseDelay(exp, 2000)).toBe(1000);
  });

  it('keeps a fixed delay constant, under the cap', () => {
    expect(baseDelay({ ...exp, type: 'FIXED' }, 7)).toBe(100);
    expect(baseDelay({ type: 'FIXED', delayMs: 500, maxDelayMs: 300, jitter: 'NONE' }, 1)).toBe(300);
  });

  it('applies no jitter with NONE', () => {
    expect(nextDelay(exp, { failures: 3, previousDelayMs: null }, highest)).toBe(400);
  });

  it('draws FULL jitter from [0, base]', () => {
    const full = { ...exp, jitter: 'FULL' } as const;
    expect(nextDelay(full, { failures: 3, previousDelayMs: null }, lowest)).toBe(0);
    expect(nextDelay(full, { failures: 3, previousDelayMs: null }, highest)).toBe(400);
  });

  it('draws EQUAL jitter from [base/2, base]', () => {
    const equal = { ...exp, jitter: 'EQUAL' } as const;
    expect(nextDelay(equal, { failures: 3, previousDelayMs: null }, lowest)).toBe(200);
    expect(nextDelay(equal, { failures: 3, previousDelayMs: null }, highest)).toBe(400);
    expect(nextDelay({ ...equal, delayMs: 101, maxDelayMs: 101, type: 'FIXED' }, { failures: 1, previousDelayMs: null }, highest)).toBe(101);
  });

  it('grows DECORRELATED jitter from the previous delay, within [delayMs, 3 x previous], capped', () => {
    const dec = { ...exp, jitter: 'DECORRELATED' } as const;
    expect(nextDelay(dec, { failures: 1, previousDelayMs: null }, highest)).toBe(300);
    expect(nextDelay(dec, { failures: 2, previousDelayMs: 300 }, highest)).toBe(900);
    expect(nextDelay(dec, { failures: 3, previousDelayMs: 900 }, highest)).toBe(1000);
    expect(nextDelay(dec, { failures: 3, previousDelayMs: 900 }, lowest)).toBe(100);
  });

  it('stays within bounds with real randomness', () => {
    for (const jitter of ['NONE', 'FULL', 'EQUAL', 'DECORRELATED'] as const) {
      let previous: number | null = null;
      for (let failures = 1; failures <= 50; failures++) {
        const delay: number = nextDelay({ ...exp, jitter }, { failures, previousDelayMs: previous });
        expect(Number.isInteger(delay) && delay >= 0 && delay <= 1000).toBe(true);
        previous = delay;
      }
    }
  });
});
