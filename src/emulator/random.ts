/**
 * A small seeded PRNG, so every fault the emulator injects can be replayed from its seed.
 * Each stream connection gets its own generator keyed by (seed, execution id, stream, connection
 * index): the choices of one connection do not depend on how connections interleave.
 */

/** A deterministic source of random choices. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** True with probability `p` (0 never draws true, 1 always). */
  chance(p: number): boolean;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/**
 * Hashes the key parts to a 32-bit seed (FNV-1a over the parts' text, with a separator so that
 * ('ab','c') and ('a','bc') differ).
 */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${String(part)}\u0000`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/**
 * A mulberry32 generator from a 32-bit seed: floats in [0, 1), tiny, fast and good enough for fault
 * injection and seeded test scenarios (not for secrets). The one PRNG of the project.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A {@link Random} keyed by its parts (hashed with {@link hashSeed}). */
export function createRandom(...key: readonly (string | number)[]): Random {
  const next = mulberry32(hashSeed(...key));
  return {
    next,
    // Draw even when p is 0 or 1, so changing a probability does not shift every later choice.
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
  };
}

/** A deterministic id like `exn_k3j…` from a seed and a sequence number (so a replay has the same ids). */
export function seededId(prefix: string, ...key: readonly (string | number)[]): string {
  const random = createRandom('id', ...key);
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  let id = '';
  for (let i = 0; i < 20; i++) id += alphabet[random.int(0, alphabet.length - 1)];
  return `${prefix}_${id}`;
}
