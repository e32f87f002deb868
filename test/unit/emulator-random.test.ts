import { describe, expect, it } from 'vitest';
import { createRandom, hashSeed, mulberry32, seededId } from '../../src/emulator/random.js';

describe('mulberry32', () => {
  // The draws of the generator the seeded test scenarios had as their own copy: a seed replays the
  // same scenario as before the copies became one.
  it.each([
    [0, [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]],
    [1, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]],
    [5000, [0.02629107586108148, 0.4756804835051298, 0.9059161539189517]],
  ])('seed %i draws the same as always', (seed, draws) => {
    const next = mulberry32(seed);
    expect([next(), next(), next()]).toEqual(draws);
  });

  it('createRandom is mulberry32 seeded with the hash of its key', () => {
    const random = createRandom('k', 1);
    const next = mulberry32(hashSeed('k', 1));
    for (let i = 0; i < 5; i++) expect(random.next()).toBe(next());
  });
});

describe('createRandom', () => {
  it('gives the same draws for the same key, different ones for another', () => {
    const draw = (...key: (string | number)[]) => {
      const random = createRandom(...key);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(1, 'exn_a', 'stdout', 0)).toEqual(draw(1, 'exn_a', 'stdout', 0));
    expect(draw(1, 'exn_a', 'stdout', 0)).not.toEqual(draw(1, 'exn_a', 'stderr', 0));
    expect(draw(1, 'exn_a', 'stdout', 0)).not.toEqual(draw(1, 'exn_a', 'stdout', 1));
    expect(draw(1, 'exn_a', 'stdout', 0)).not.toEqual(draw(2, 'exn_a', 'stdout', 0));
  });

  it('keeps every draw in range', () => {
    const random = createRandom(7);
    for (let i = 0; i < 2000; i++) {
      const value = random.next();
      expect(value >= 0 && value < 1).toBe(true);
      const int = random.int(3, 5);
      expect([3, 4, 5]).toContain(int);
      expect(['a', 'b']).toContain(random.pick(['a', 'b']));
    }
    expect(() => random.pick([])).toThrow(RangeError);
  });

  it('treats probabilities 0 and 1 as never and always', () => {
    const random = createRandom(3);
    for (let i = 0; i < 1000; i++) {
      expect(random.chance(0)).toBe(false);
      expect(random.chance(1)).toBe(true);
    }
  });
});

describe('hashSeed and seededId', () => {
  it('separates parts', () => expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc')));
  it('makes stable ids', () => {
    expect(seededId('exn', 1, 1)).toBe(seededId('exn', 1, 1));
    expect(seededId('exn', 1, 1)).not.toBe(seededId('exn', 1, 2));
    expect(seededId('exn', 1, 1)).toMatch(/^exn_[0-9a-z]{20}$/);
  });
});
