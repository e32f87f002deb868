import { describe, expect, it } from 'vitest';
import {
  collectAfterRead,
  FULL_AFTER_BYTES,
  FULL_CHECK_EVERY,
  fullCollectionDue,
  knowsCollectionFlags,
  knowsGrowthFactor,
  prepareHeapForFollow,
  YOUNG_COLLECTION_BYTES,
  youngCollector,
} from '../../src/stream/memory.js';

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

describe('fullCollectionDue: a full collection once the ArrayBuffer memory left after a young one grew enough', () => {
  const MiB = 1024 * 1024;
  it.each([
    { name: 'at the baseline', arrayBuffers: 3 * MiB, baseline: 3 * MiB, due: false },
    { name: 'below the baseline (a full collection freed more than the first look saw)', arrayBuffers: MiB, baseline: 3 * MiB, due: false },
    { name: 'one byte short of the growth', arrayBuffers: 3 * MiB + FULL_AFTER_BYTES - 1, baseline: 3 * MiB, due: false },
    { name: 'exactly the growth', arrayBuffers: 3 * MiB + FULL_AFTER_BYTES, baseline: 3 * MiB, due: true },
    { name: 'well above', arrayBuffers: 9 * MiB, baseline: 3 * MiB, due: true },
  ])('$name → $due', ({ arrayBuffers, baseline, due }) => {
    expect(fullCollectionDue(arrayBuffers, baseline)).toBe(due);
  });

  it('takes another growth', () => {
    expect(fullCollectionDue(2 * MiB, MiB, 512 * 1024)).toBe(true);
    expect(fullCollectionDue(2 * MiB, MiB, 2 * MiB)).toBe(false);
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
    // Enough reads for the looks at the ArrayBuffer memory, with garbage ArrayBuffers in between
    // (promoted or not, a full collection must leave the process working).
    let held: Buffer[] = [];
    for (let i = 0; i < 3 * FULL_CHECK_EVERY; i++) {
      // Each Buffer outlives two young collections (promoted), then is dropped.
      held = [...held.slice(-2), Buffer.allocUnsafeSlow(FULL_AFTER_BYTES)];
      expect(() => collectAfterRead(YOUNG_COLLECTION_BYTES)).not.toThrow();
    }
    expect(held).toHaveLength(3);
    // Once per process: a second call changes nothing and says the same.
    expect(prepareHeapForFollow()).toEqual(applied);
  });
});
