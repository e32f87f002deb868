/**
 * The retry policy of every call to the service (stream reconnects, status and kill, stdin
 * delivery): exponential backoff with jitter, Retry-After honoured, reset after progress. Pure: the
 * caller supplies the random number and the clock.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  readonly initialMs: number;
  /** Growth per consecutive failure. */
  readonly factor: number;
  /** No computed delay exceeds this. */
  readonly maxMs: number;
  /** A server's Retry-After is honoured up to this (a broken header must not park us for hours). */
  readonly maxRetryAfterMs: number;
}

export const defaultBackoff: BackoffPolicy = {
  initialMs: 250,
  factor: 2,
  maxMs: 10_000,
  maxRetryAfterMs: 120_000,
};

/**
 * The delay before retry number `attempt` (1 for the first retry after a failure).
 *
 * "Equal jitter": half the exponential delay is fixed, half is random, so retries of many clients
 * spread out but none retries immediately. `random` is in [0, 1). With a Retry-After from the
 * server, the delay is never shorter than what the server asked for.
 */
export function backoffDelay(
  attempt: number,
  random: number,
  retryAfterMs?: number,
  policy: BackoffPolicy = defaultBackoff,
): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const jittered = Math.round(base / 2 + (base / 2) * Math.min(Math.max(random, 0), 1));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/**
 * Parses a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds from `nowMs`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // Date.parse reads '-5' as a year
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
