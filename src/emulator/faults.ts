/**
 * The emulator's misbehaviour, on purpose and seeded: which answer a stream request gets, where it
 * starts, how big each event is, and whether an event is stalled or cut. The decisions are pure
 * (options and a Random in, a plan out); the stream connection carries them out.
 */
import type { Random } from './random.js';

/** What a chunk's `offset` means: the byte offset after the chunk ('end') or of its first byte ('start'). */
export type OffsetMode = 'end' | 'start';

/** Fault and stream-shaping options; all may be changed on a running server. */
export interface FaultOptions {
  /** Default 1; every random choice derives from (seed, execution id, stream, connection index for that stream). */
  seed?: number;
  /** What a chunk's `offset` means (default 'end'). */
  offsetMode?: OffsetMode;
  /** Max bytes of output per event, fixed or a random range [min, max]; default 32768. A character is never split. */
  chunkSize?: number | readonly [number, number];
  /** Per event: write part of the event, then destroy the socket. */
  cutProbability?: number;
  /** Destroy each stream connection (mid-event) once about this many body bytes were written; 0 = never. */
  cutAfterBytes?: number;
  /** Per stream request: answer with one of `errorStatuses` instead of streaming. */
  errorProbability?: number;
  /** Default [408, 429, 500, 503]; 429 and 503 carry Retry-After. */
  errorStatuses?: readonly number[];
  /** The Retry-After value in seconds (default 1; may be 0). */
  retryAfterSeconds?: number;
  /** Per event: pause `stallMs` before writing it. */
  stallProbability?: number;
  stallMs?: number;
  /** Per stream request with offset > 0: start up to `resendBytes` before the requested offset. */
  resendProbability?: number;
  resendBytes?: number;
  /** Per stream request: skip up to `gapBytes` after the requested offset (lost retention). */
  gapProbability?: number;
  gapBytes?: number;
  /**
   * Once a stream connection had nothing to send for this long, send `event: error` with data
   * `{"code":"408",…}` and end it, as the service does (its idle time-out, about a minute);
   * 0 = never. Default 60000.
   */
  idleTimeoutMs?: number;
  /** Write an SSE comment (`: keep-alive`) after this long without a write; 0 = never (default 15000). */
  keepAliveMs?: number;
}

/** Fault options with every default filled in. */
export type Faults = Required<Omit<FaultOptions, 'chunkSize'>> & { chunkSize: readonly [number, number] };

export const defaultFaults: Faults = Object.freeze({
  seed: 1,
  offsetMode: 'end',
  chunkSize: [32768, 32768] as const,
  cutProbability: 0,
  cutAfterBytes: 0,
  errorProbability: 0,
  errorStatuses: [408, 429, 500, 503],
  retryAfterSeconds: 1,
  stallProbability: 0,
  stallMs: 0,
  resendProbability: 0,
  resendBytes: 0,
  gapProbability: 0,
  gapBytes: 0,
  idleTimeoutMs: 60_000,
  keepAliveMs: 15000,
});

function probability(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`${name} must be a probability between 0 and 1, got ${value}`);
  return value;
}

/** `value` when it is a whole number ≥ `min`; else a RangeError naming the option (the server's own options too). */
export function checkedCount(name: string, value: number, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** Merges `changes` over `base` and checks every value; throws a RangeError naming the bad option. */
export function resolveFaults(changes: FaultOptions, base: Faults = defaultFaults): Faults {
  const merged = { ...base };
  // Only the fault keys: callers may pass a whole ServerOptions.
  for (const key of Object.keys(defaultFaults) as (keyof FaultOptions)[]) {
    const value = changes[key];
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  const chunk = changes.chunkSize ?? base.chunkSize;
  const [minChunk, maxChunk] = typeof chunk === 'number' ? [chunk, chunk] : chunk;
  checkedCount('chunkSize', minChunk, 1);
  checkedCount('chunkSize', maxChunk, 1);
  if (maxChunk < minChunk) throw new RangeError(`chunkSize range ${minChunk}-${maxChunk} is empty`);
  if (merged.offsetMode !== 'end' && merged.offsetMode !== 'start') {
    throw new RangeError(`offsetMode must be 'end' or 'start', got ${String(merged.offsetMode)}`);
  }
  checkedCount('seed', merged.seed);
  for (const name of ['cutProbability', 'errorProbability', 'stallProbability', 'resendProbability', 'gapProbability'] as const) {
    probability(name, merged[name]);
  }
  for (const name of ['cutAfterBytes', 'retryAfterSeconds', 'stallMs', 'resendBytes', 'gapBytes', 'idleTimeoutMs', 'keepAliveMs'] as const) {
    checkedCount(name, merged[name]);
  }
  if (merged.errorStatuses.length === 0) throw new RangeError('errorStatuses must not be empty');
  for (const status of merged.errorStatuses) {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`errorStatuses: ${status} is not an HTTP error status (400-599)`);
  }
  return Object.freeze({ ...merged, chunkSize: [minChunk, maxChunk] as const, errorStatuses: [...merged.errorStatuses] });
}

/** How a stream request is answered. */
export type ConnectionPlan =
  | { readonly kind: 'error'; readonly status: number; readonly retryAfterSeconds: number | undefined }
  | {
      readonly kind: 'stream';
      /** Bytes to start before the requested offset (resend); 0 when none. */
      readonly resendBytes: number;
      /** Bytes to skip after the requested offset (gap); 0 when none. */
      readonly gapBytes: number;
    };

/**
 * Decides a stream request's answer. The draws happen in a fixed order whatever the options, so
 * turning one fault on does not change the choices of the others.
 */
export function planConnection(faults: Faults, random: Random, requestedOffset: number): ConnectionPlan {
  const error = random.chance(faults.errorProbability);
  const status = random.pick(faults.errorStatuses);
  const resend = random.chance(faults.resendProbability) && requestedOffset > 0 && faults.resendBytes > 0;
  const resendBytes = random.int(1, Math.max(1, faults.resendBytes));
  const gap = random.chance(faults.gapProbability) && faults.gapBytes > 0;
  const gapBytes = random.int(1, Math.max(1, faults.gapBytes));
  if (error) {
    const retryAfter = status === 429 || status === 503 ? faults.retryAfterSeconds : undefined;
    return { kind: 'error', status, retryAfterSeconds: retryAfter };
  }
  return {
    kind: 'stream',
    resendBytes: resend ? Math.min(resendBytes, requestedOffset) : 0,
    gapBytes: gap ? gapBytes : 0,
  };
}

/** What happens to one event. */
export interface EventPlan {
  /** Max bytes of output for this event. */
  readonly maxBytes: number;
  /** Pause this long before writing it (0 = none). */
  readonly stallMs: number;
  /** Cut the connection inside this event: the fraction in (0, 1) of the event's bytes to write first; undefined = write it whole. */
  readonly cutAt: number | undefined;
}

/** Decides the shape and fate of the next event of a connection. */
export function planEvent(faults: Faults, random: Random): EventPlan {
  const [min, max] = faults.chunkSize;
  const maxBytes = random.int(min, max);
  const stall = random.chance(faults.stallProbability);
  const cut = random.chance(faults.cutProbability);
  const cutAt = random.next();
  return { maxBytes, stallMs: stall ? faults.stallMs : 0, cutAt: cut ? cutAt : undefined };
}

/**
 * How many bytes of an encoded event of `eventLength` bytes to write before cutting: always at least
 * one and always fewer than all of them, so the cut is inside the event.
 */
export function cutLength(eventLength: number, fraction: number): number {
  return Math.max(1, Math.min(eventLength - 1, Math.floor(eventLength * fraction)));
}
