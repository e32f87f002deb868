import { describe, expect, it } from 'vitest';
import { collectAfterRead, knowsCollectionFlags, knowsGrowthFactor, prepareHeapForFollow, YOUNG_COLLECTION_BYTES, youngCollector } from '../../src/stream/memory.js';

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

describe('knowsCollectionFlags: the collection-thread flags only on the V8 they were measured on', () => {
  it.each([
    { v8: '11.3.244.8-node.38', known: true },
    { v8: '12.4.254.21-node.33', known: false },
    { v8: '10.2.154.26-node.26', known: false },
    { v8: 'garbage', known: false },
  ])('$v8 → $known', ({ v8, known }) => {
    expect(knowsCollectionFlags(v8)).toBe(known);
  });
});

describe('prepareHeapForFollow: gc exposed at run time for collectAfterRead', () => {
  it('collectAfterRead does nothing before, and after it gc is a function, outside the global scope', () => {
    expect(youngCollector()).toBeNull();
    expect(() => collectAfterRead(YOUNG_COLLECTION_BYTES)).not.toThrow();
    const applied = prepareHeapForFollow();
    expect(applied.collector).toBe(true);
    const collect = youngCollector();
    expect(typeof collect).toBe('function');
    expect(() => collect?.({ type: 'minor' })).not.toThrow();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(() => collectAfterRead(YOUNG_COLLECTION_BYTES)).not.toThrow();
    // Once per process: a second call changes nothing and says the same.
    expect(prepareHeapForFollow()).toEqual(applied);
  });
});
