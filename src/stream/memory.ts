/**
 * Keeps a long follow's memory flat. A follow allocates strings at the rate output arrives (decoded
 * SSE text, then each event's JSON) and they die young; V8 still doubles its young generation up to
 * 16 MiB a half-space while that goes on, which took the peak RSS from about 66 MiB to about 100 MiB
 * for a 128 MiB stream with no gain in speed (measured in BENCHMARKS.md). Growth factor 1 keeps the
 * young generation at its initial 1 MiB; the flag is read each time V8 considers growing it, so
 * setting it at run time works (unlike --max-semi-space-size, read once at start-up).
 */
import { setFlagsFromString } from 'node:v8';

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
