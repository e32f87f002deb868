/**
 * Keeps a long follow's memory flat. A follow allocates strings at the rate output arrives (decoded
 * SSE text, then each event's JSON) and they die young; V8 still doubles its young generation up to
 * 16 MiB a half-space while that goes on, which took the peak RSS from about 66 MiB to about 100 MiB
 * for a 128 MiB stream with no gain in speed (measured in BENCHMARKS.md). Growth factor 1 keeps the
 * young generation at its initial 1 MiB; the flag is read each time V8 considers growing it, so
 * setting it at run time works (unlike --max-semi-space-size, read once at start-up).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let applied = false;

/**
 * Whether this V8 is known to have the flag: an unknown flag makes V8 print an error on stderr,
 * which must never appear in the middle of a remote command's output. Measured on V8 11 (Node 20);
 * V8 12 and 13 still define it, though newer versions may hold it at a minimum of 2 (then this
 * does nothing, harmlessly).
 */
export function knowsGrowthFactor(v8Version: string): boolean {
  const major = Number(v8Version.split('.')[0]);
  return major >= 11 && major <= 13;
}

/** Stops the young generation from growing, once per process; false when this V8 is not known to allow it. */
export function keepYoungGenerationSmall(v8Version: string = process.versions.v8): boolean {
  if (applied) return true;
  if (!knowsGrowthFactor(v8Version)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  applied = true;
  return true;
}

/**
 * How many bytes read between two young-generation collections; see collectAfterRead. Measured at
 * 128 MiB (peak RSS): 1 MiB 61, 2 MiB 63-64, 4 MiB 69, 16 MiB 93 MiB; below 1 MiB the collections
 * themselves start to cost CPU.
 */
export const YOUNG_COLLECTION_BYTES = 2 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;
/** V8's gc function once asked for (null: not available here). */
let collectYoung: Collect | null | undefined;
let readSinceCollection = 0;

/**
 * V8's `gc`, exposed at run time (the flag is read when a context is created, so a new context has
 * it) and kept out of the program's global scope. Null where that does not work.
 */
export function youngCollector(): Collect | null {
  if (collectYoung === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collectYoung = typeof gc === 'function' ? (gc as Collect) : null;
    } catch {
      collectYoung = null;
    }
  }
  return collectYoung;
}

/**
 * Counts bytes read from the network and runs a young-generation collection every
 * YOUNG_COLLECTION_BYTES. The socket's read buffers (node:http allocates a fresh 64 KiB one per
 * read) live outside the JS heap; when the hot path allocates almost no JS objects, V8 sees no
 * reason to collect and they pile up until its external-memory limit forces a full collection
 * (measured: peak RSS 64 → 86-101 MiB at 128 MiB, with more CPU for the page faults). A scavenge
 * of a nearly empty young generation is well under a millisecond and frees them.
 */
export function collectAfterRead(bytes: number): void {
  readSinceCollection += bytes;
  if (readSinceCollection < YOUNG_COLLECTION_BYTES) return;
  readSinceCollection = 0;
  youngCollector()?.({ type: 'minor' });
}
