import { describe, expect, it } from 'vitest';
import { collectAfterRead, knowsGrowthFactor, YOUNG_COLLECTION_BYTES, youngCollector } from '../../src/stream/memory.js';

describe('knowsGrowthFactor: the young-generation flag is only set where V8 is known to have it', () => {
  it.each([
    { v8: '11.3.244.8-node.38', known: true },
    { v8: '12.4.254.21-node.33', known: true },
    { v8: '13.6.233.10-node.18', known: true },
    { v8: '10.2.154.26-node.26', known: false },
    { v8: '14.0.1', known: false },
    { v8: '', known: false },
    { v8: 'garbage', known: false },
  ])('$v8 → $known', ({ v8, known }) => {
    expect(knowsGrowthFactor(v8)).toBe(known);
  });
});

describe('youngCollector: V8 gc exposed at run time for collectAfterRead', () => {
  it('is a function on this Node, and gc stays out of the global scope', () => {
    const collect = youngCollector();
    expect(typeof collect).toBe('function');
    expect(() => collect?.({ type: 'minor' })).not.toThrow();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(() => collectAfterRead(YOUNG_COLLECTION_BYTES)).not.toThrow();
  });
});
