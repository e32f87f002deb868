import { describe, expect, it } from 'vitest';
import { collectAfterRead, knowsCollectionFlags, knowsGrowthFactor, prepareHeapForFollow, YOUNG_COLLECTION_BYTES, youngCollector } from '../../src/stream/memory.js';

describe('which V8 flags are set where: only on the versions they are known (and measured) on', () => {
  it.each([
    { v8: '11.3.244.8-node.38', growth: true, collection: true },
    { v8: '12.4.254.21-node.33', growth: true, collection: false },
    { v8: '13.6.233.10-node.18', growth: true, collection: false },
    { v8: '10.2.154.26-node.26', growth: false, collection: false },
    { v8: '14.0.1', growth: false, collection: false },
    { v8: '', growth: false, collection: false },
    { v8: 'garbage', growth: false, collection: false },
  ])('$v8 → growth factor $growth, collection threads $collection', ({ v8, growth, collection }) => {
    expect(knowsGrowthFactor(v8)).toBe(growth);
    expect(knowsCollectionFlags(v8)).toBe(collection);
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
