import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, defaultBackoff, parseRetryAfter } from '../../src/api/backoff.js';

describe('backoffDelay', () => {
  const rows: { name: string; attempt: number; random: number; retryAfter?: number; expected: number }[] = [
    { name: 'first retry, no jitter draw', attempt: 1, random: 0, expected: 125 },
    { name: 'first retry, top of range', attempt: 1, random: 0.999999, expected: 250 },
    { name: 'grows by the factor', attempt: 3, random: 0, expected: 500 },
    { name: 'grows by the factor (top)', attempt: 3, random: 0.999999, expected: 1000 },
    { name: 'capped', attempt: 30, random: 0, expected: 5000 },
    { name: 'capped (top)', attempt: 30, random: 0.999999, expected: 10_000 },
    { name: 'Retry-After longer than backoff wins', attempt: 1, random: 0.5, retryAfter: 3000, expected: 3000 },
    { name: 'backoff longer than Retry-After wins', attempt: 8, random: 0, retryAfter: 1000, expected: 5000 },
    { name: 'Retry-After 0 keeps the backoff', attempt: 1, random: 0, retryAfter: 0, expected: 125 },
    { name: 'absurd Retry-After is bounded', attempt: 1, random: 0, retryAfter: 10_000_000, expected: 120_000 },
  ];
  it.each(rows)('$name', ({ attempt, random, retryAfter, expected }) => {
    expect(backoffDelay(attempt, random, retryAfter)).toBe(expected);
  });

  it('stays within [base/2, base] and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
        const base = Math.min(defaultBackoff.maxMs, defaultBackoff.initialMs * 2 ** (attempt - 1));
        const delay = backoffDelay(attempt, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2));
        expect(delay).toBeLessThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(defaultBackoff.maxMs);
      }),
    );
  });

  it('is monotonic in the attempt for a fixed draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
        expect(backoffDelay(attempt + 1, random)).toBeGreaterThanOrEqual(backoffDelay(attempt, random));
      }),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const rows: [string, string | null | undefined, number | undefined][] = [
    ['absent', null, undefined],
    ['undefined', undefined, undefined],
    ['empty', '  ', undefined],
    ['seconds', '3', 3000],
    ['zero', '0', 0],
    ['padded seconds', ' 12 ', 12_000],
    ['HTTP date in the future', 'Sat, 28 Nov 2026 12:00:05 GMT', 5000],
    ['HTTP date in the past', 'Sat, 28 Nov 2026 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['negative', '-5', undefined],
  ];
  it.each(rows)('%s', (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
