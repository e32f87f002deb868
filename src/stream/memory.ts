/**
 * Keeps a long follow's memory flat and its garbage collection cheap. The V8 settings are
 * process-wide, so src/cli.ts applies them, at the edge and only for a command that follows, with
 * {@link prepareHeapForFollow}; the follower only calls {@link collectAfterRead}.
 *
 * - Young generation: V8 doubles it up to 16 MiB a half-space while short-lived objects arrive
 *   fast, which took the peak RSS from about 66 MiB to about 100 MiB for a 128 MiB stream with no
 *   gain in speed (BENCHMARKS.md). Growth factor 1 keeps it at its initial 1 MiB; the flag is read
 *   each time V8 considers growing it, so setting it at run time works (unlike
 *   --max-semi-space-size, read once at start-up).
 * - Collections on this thread: a follow's garbage is almost all body Buffers (each read's body
 *   bytes are copied out of the socket's read, by the body tap or by node:http). V8 scavenges with helper threads and frees dead
 *   ArrayBuffers' memory on another thread; for this load the hand-offs cost more than they save:
 *   a 256 MiB follow's CPU (user + system, medians of 7 alternated runs) 1.63 s with them, 1.46 s
 *   with `--no-parallel-scavenge --no-concurrent-array-buffer-sweeping`, the same peak RSS. Both
 *   flags are read at each collection, so they too work when set at run time.
 * - TurboFan's inlining budget: V8 optimises on its worker threads, each with a malloc arena of its
 *   own, and a function with many callees inlined builds a large graph there (the arenas held 2.5-4
 *   MiB at the peak). `--max-inlined-bytecode-size-cumulative=150` (default 920) keeps the graphs
 *   small; read at each optimisation, so it works set at run time. Measured (peak RSS and CPU,
 *   `/usr/bin/time`, medians of 5 alternated runs each): 1 GiB 56.4 → 55.3 and 56.7 → 55.4 MiB,
 *   CPU 2.97 → 2.96 and 2.96 → 3.06 s; 128 MiB 56.8 → 55.0 MiB, 0.70 → 0.73 s. Without inlining
 *   at all (`--no-turbo-inlining`): the same memory, 7% more CPU (3.17 → 3.41 s).
 * - Old ArrayBuffers: now and then a body piece (or a copy of one) is still referenced at two young
 *   collections in a row and is promoted to the old generation; its malloc'd bytes are then freed
 *   only by a full collection, which a follow never triggers on its own (V8's external-memory limit
 *   is 64 MiB). Measured at the end of a 1 GiB follow: 2.5-4.8 MiB of dead ArrayBuffers (one gc()
 *   frees them), from 120 or so scavenges of the ~1000 that promoted anything, the [heap] mapping
 *   grown from 2 to 9.5 MiB and RssAnon from 16 to 22 MiB. Which reference keeps them was not
 *   found: not the cursor's last 64 KiB written (the same without it), not the other stream's
 *   connection (the same with stdout only). {@link collectAfterRead} therefore looks at
 *   process.memoryUsage().arrayBuffers every FULL_CHECK_EVERY young collections and runs a full
 *   collection when it grew by FULL_AFTER_BYTES since the last one: 5-7 per GiB, 5-9 ms each (about
 *   1% of the CPU). Peak RSS of a 1 GiB follow (medians of 5 alternated runs): 59.8 → 56.8 MiB
 *   before the WebAssembly unescape; with it and with the CLI read in pieces (read-in-pieces.ts),
 *   56.7 → 56.6, within the noise, since malloc now gives the freed pieces back. It is kept for
 *   longer follows: the dead ArrayBuffers grow with the stream until V8's 64 MiB limit.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Whether this V8 is known to have the growth-factor flag: an unknown flag makes V8 print an error
 * on stderr, which must never appear in the middle of a remote command's output. Measured on V8 11
 * (Node 20); V8 12 and 13 still define it, though newer versions may hold it at a minimum of 2
 * (then this does nothing, harmlessly).
 */
export function knowsGrowthFactor(v8Version: string): boolean {
  const major = Number(v8Version.split('.')[0]);
  return major >= 11 && major <= 13;
}

/** Whether the collection-thread and inlining flags were measured on this V8 (11: Node 20); elsewhere they are left alone. */
export function knowsCollectionFlags(v8Version: string): boolean {
  return Number(v8Version.split('.')[0]) === 11;
}

/**
 * How many bytes read between two young-generation collections; see collectAfterRead. Measured on
 * a 256 MiB follow (peak RSS, with one shared socket read buffer): 1 MiB 59, 2 MiB 61, 4 MiB 63,
 * 8 MiB 70, none 73-75 MiB, CPU the same within the noise.
 */
export const YOUNG_COLLECTION_BYTES = 1024 * 1024;

/**
 * How many young collections between two looks at the ArrayBuffer memory (process.memoryUsage()
 * reads /proc: ~12 µs).
 */
export const FULL_CHECK_EVERY = 4;

/** Growth of the ArrayBuffer memory left after a young collection that calls for a full collection. */
export const FULL_AFTER_BYTES = 1024 * 1024;

/**
 * Whether a full collection is due: `arrayBuffers` (measured right after a young collection, so
 * what is left is live or promoted) is FULL_AFTER_BYTES or more above `baseline`, the level after
 * the last full collection (or at the first look).
 */
export function fullCollectionDue(arrayBuffers: number, baseline: number, growth: number = FULL_AFTER_BYTES): boolean {
  return arrayBuffers - baseline >= growth;
}

/** V8's `gc`: `{ type: 'minor' }` for a young collection, no argument for a full one. */
type Collect = (options?: { type: 'minor' }) => void;
/** V8's gc function, once prepareHeapForFollow got it (null: not available here). */
let collectYoung: Collect | null = null;
let prepared = false;
let readSinceCollection = 0;
let youngSinceCheck = 0;
/** The ArrayBuffer memory after the last full collection (or at the first look); -1: not looked yet. */
let arrayBuffersBaseline = -1;

/**
 * V8's `gc`, exposed at run time (the flag is read when a context is created, so a new context has
 * it) and kept out of the program's global scope. Null where that does not work.
 */
function exposeCollector(): Collect | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  }
}

/**
 * Applies the settings above, once per process, where this V8 is known to have them; returns
 * which ones it applied. Without it, collectAfterRead does nothing.
 */
export function prepareHeapForFollow(v8Version: string = process.versions.v8): {
  youngGeneration: boolean;
  collectionThreads: boolean;
  inliningBudget: boolean;
  collector: boolean;
} {
  if (!prepared) {
    prepared = true;
    if (knowsGrowthFactor(v8Version)) setFlagsFromString('--semi-space-growth-factor=1');
    if (knowsCollectionFlags(v8Version)) {
      setFlagsFromString('--no-parallel-scavenge');
      setFlagsFromString('--no-concurrent-array-buffer-sweeping');
      setFlagsFromString('--max-inlined-bytecode-size-cumulative=150');
    }
    collectYoung = exposeCollector();
  }
  const measured = knowsCollectionFlags(v8Version);
  return { youngGeneration: knowsGrowthFactor(v8Version), collectionThreads: measured, inliningBudget: measured, collector: collectYoung !== null };
}

/** The young-generation collector collectAfterRead uses (null before prepareHeapForFollow, or where gc could not be exposed). */
export function youngCollector(): Collect | null {
  return collectYoung;
}

/**
 * Counts bytes read from the network and runs a young-generation collection every
 * YOUNG_COLLECTION_BYTES, and now and then a full one (see the top of this file). The body Buffers
 * live outside the JS heap; when the hot path allocates almost no JS objects, V8 sees no reason to
 * collect and they pile up until its external-memory limit forces a full collection (measured: peak
 * RSS 64 → 86-101 MiB at 128 MiB, with more CPU for the page faults). A scavenge of a nearly empty
 * young generation is well under a millisecond.
 *
 * Run inside the 'data' handler, so the current piece survives one scavenge (and dies before the
 * next). Queued with setImmediate instead, when no piece is live, it measured no better: promoted
 * twice as often (272 against 120 scavenges that promoted anything, 1 GiB follow; libuv reads up to
 * 32 times per turn, so a turn's reads outlast the 1 MiB step), peak RSS the same within the noise.
 */
export function collectAfterRead(bytes: number): void {
  readSinceCollection += bytes;
  if (readSinceCollection < YOUNG_COLLECTION_BYTES) return;
  readSinceCollection = 0;
  if (collectYoung === null) return;
  collectYoung({ type: 'minor' });
  if (++youngSinceCheck < FULL_CHECK_EVERY) return;
  youngSinceCheck = 0;
  const arrayBuffers = process.memoryUsage().arrayBuffers;
  if (arrayBuffersBaseline < 0) {
    arrayBuffersBaseline = arrayBuffers;
  } else if (fullCollectionDue(arrayBuffers, arrayBuffersBaseline)) {
    collectYoung();
    arrayBuffersBaseline = process.memoryUsage().arrayBuffers;
  }
}
