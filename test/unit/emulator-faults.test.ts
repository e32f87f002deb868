import { describe, expect, it } from 'vitest';
import { cutLength, defaultFaults, planConnection, planEvent, resolveFaults, type FaultOptions } from '../../src/emulator/faults.js';
import { cutPoint } from '../../src/emulator/stream-connection.js';
import { createRandom } from '../../src/emulator/random.js';

describe('resolveFaults', () => {
  it('fills defaults and merges changes over a base', () => {
    const faults = resolveFaults({ chunkSize: 10, cutProbability: 0.5 });
    expect(faults.chunkSize).toEqual([10, 10]);
    expect(faults.offsetMode).toBe('end');
    const changed = resolveFaults({ offsetMode: 'start' }, faults);
    expect(changed).toMatchObject({ offsetMode: 'start', cutProbability: 0.5, chunkSize: [10, 10] });
    expect(resolveFaults({})).toEqual(defaultFaults);
  });

  it('ignores keys that are not faults (a whole ServerOptions may be passed)', () => {
    expect(resolveFaults({ port: 0, host: 'x' } as FaultOptions)).toEqual(defaultFaults);
  });

  it.each([
    { changes: { chunkSize: 0 }, says: 'chunkSize' },
    { changes: { chunkSize: [5, 2] as const }, says: 'chunkSize' },
    { changes: { chunkSize: 1.5 }, says: 'chunkSize' },
    { changes: { cutProbability: -0.1 }, says: 'cutProbability' },
    { changes: { errorProbability: 2 }, says: 'errorProbability' },
    { changes: { gapProbability: Number.NaN }, says: 'gapProbability' },
    { changes: { errorStatuses: [] }, says: 'errorStatuses' },
    { changes: { errorStatuses: [200] }, says: 'errorStatuses' },
    { changes: { offsetMode: 'middle' as 'end' }, says: 'offsetMode' },
    { changes: { stallMs: -1 }, says: 'stallMs' },
    { changes: { seed: 1.5 }, says: 'seed' },
  ])('refuses $changes', ({ changes, says }) => {
    expect(() => resolveFaults(changes as FaultOptions)).toThrow(new RegExp(says));
  });
});

describe('planConnection', () => {
  const faults = (changes: FaultOptions) => resolveFaults(changes);

  it('streams from the offset when no fault is on', () => {
    expect(planConnection(defaultFaults, createRandom(1), 10)).toEqual({ kind: 'stream', resendBytes: 0, gapBytes: 0 });
  });

  it.each([
    { status: 429, retryAfter: 2 },
    { status: 503, retryAfter: 2 },
    { status: 408, retryAfter: undefined },
    { status: 500, retryAfter: undefined },
  ])('answers $status with Retry-After $retryAfter', ({ status, retryAfter }) => {
    const plan = planConnection(faults({ errorProbability: 1, errorStatuses: [status], retryAfterSeconds: 2 }), createRandom(1), 0);
    expect(plan).toEqual({ kind: 'error', status, retryAfterSeconds: retryAfter });
  });

  it('resends at most resendBytes and never before 0, and only when resuming', () => {
    const resend = faults({ resendProbability: 1, resendBytes: 50 });
    for (let i = 0; i < 200; i++) {
      const plan = planConnection(resend, createRandom(i), 20);
      expect(plan.kind === 'stream' && plan.resendBytes >= 1 && plan.resendBytes <= 20).toBe(true);
      expect(planConnection(resend, createRandom(i), 0)).toMatchObject({ resendBytes: 0 });
    }
  });

  it('skips between 1 and gapBytes on a gap', () => {
    const gap = faults({ gapProbability: 1, gapBytes: 3 });
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const plan = planConnection(gap, createRandom(i), 0);
      if (plan.kind === 'stream') seen.add(plan.gapBytes);
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('draws the same way whatever is switched on, so one fault does not move another', () => {
    const sequence = (changes: FaultOptions) => {
      const random = createRandom(5);
      return Array.from({ length: 20 }, () => planConnection(faults({ errorStatuses: [500], ...changes }), random, 10).kind);
    };
    expect(sequence({ errorProbability: 0.3 })).toEqual(sequence({ errorProbability: 0.3, resendProbability: 1, resendBytes: 4 }));
  });
});

describe('planEvent and cuts', () => {
  it('draws chunk sizes in the range', () => {
    const faults = resolveFaults({ chunkSize: [3, 6] });
    const random = createRandom(2);
    const sizes = new Set(Array.from({ length: 300 }, () => planEvent(faults, random).maxBytes));
    expect([...sizes].sort()).toEqual([3, 4, 5, 6]);
  });

  it.each([
    { length: 10, fraction: 0, expected: 1 },
    { length: 10, fraction: 0.5, expected: 5 },
    { length: 10, fraction: 0.999, expected: 9 },
    { length: 2, fraction: 0.9, expected: 1 },
  ])('cutLength($length, $fraction) = $expected: inside the event', ({ length, fraction, expected }) => {
    expect(cutLength(length, fraction)).toBe(expected);
  });

  it.each([
    { name: 'no cut', cutAt: undefined, budget: 0, written: 0, expected: undefined },
    { name: 'cut fault', cutAt: 0.5, budget: 0, written: 0, expected: 50 },
    { name: 'budget not reached', cutAt: undefined, budget: 1000, written: 100, expected: undefined },
    { name: 'budget reached inside', cutAt: undefined, budget: 130, written: 100, expected: 30 },
    { name: 'budget spent already', cutAt: undefined, budget: 50, written: 100, expected: 1 },
    { name: 'the earlier of the two', cutAt: 0.5, budget: 110, written: 100, expected: 10 },
  ])('cutPoint: $name', ({ cutAt, budget, written, expected }) => {
    expect(cutPoint(100, { maxBytes: 1, stallMs: 0, cutAt }, budget, written)).toBe(expected);
  });
});
