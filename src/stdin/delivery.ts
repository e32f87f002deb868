/**
 * Whether a failed send_std_in may have reached the command, and what to do next. The API has no
 * offset or idempotency key for stdin, so a request that failed after the service may have acted
 * on it leaves unknowable whether its text arrived: resending could duplicate it, skipping could
 * lose it. Only failures that certainly left the command untouched are retried for text. Pure.
 */
import { TailError } from '../errors.js';
import { TransientFailure } from '../api/errors.js';
import { backoffDelay } from '../api/backoff.js';

/**
 * Socket errors raised before a request could leave this machine: no connection was made, so no
 * byte of the request reached anyone.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

/**
 * Statuses by which HTTP says the request was not acted on: 408 (the server did not receive it
 * whole, RFC 9110 §15.5.9), 425 (too early) and 429 (rate limited before being handled).
 */
const NOT_APPLIED_STATUSES = new Set([408, 425, 429]);

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; errors?: unknown; cause?: unknown };
    if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0]);
    if (typeof e.code === 'string') return e.code;
    if (e.cause !== undefined) return errorCode(e.cause);
  }
  return undefined;
}

/** 'not-sent' when the request certainly had no effect; 'in-doubt' when it may have. */
export function deliveryOf(failure: TransientFailure): 'not-sent' | 'in-doubt' {
  if (failure.status !== undefined) return NOT_APPLIED_STATUSES.has(failure.status) ? 'not-sent' : 'in-doubt';
  const code = errorCode(failure.cause);
  return code !== undefined && NOT_SENT_CODES.has(code) ? 'not-sent' : 'in-doubt';
}

/** What is being sent: text must arrive exactly once, EOF may arrive twice, INTERRUPT at most once. */
export type MessageKind = 'text' | 'eof' | 'interrupt';

/** The next step after a failed send. */
export type SendStep =
  | { readonly step: 'retry'; readonly delayMs: number }
  /** The service refused it for good (a 4xx): `error` says why. */
  | { readonly step: 'refused'; readonly error: TailError }
  /** It may or may not have arrived; resending could repeat it. */
  | { readonly step: 'in-doubt' }
  /** Failures in a row beyond the limit, none of which reached the command. */
  | { readonly step: 'exhausted'; readonly reason: string };

/**
 * Decides after failure number `attempt` (1 for the first) of a send. EOF is resent after any
 * transient failure: a second EOF is harmless (the service refuses it, and that refusal is then
 * taken as done by the caller). `random` is in [0, 1), for the backoff's jitter.
 */
export function nextSendStep(kind: MessageKind, error: unknown, attempt: number, maxRetries: number, random: number): SendStep {
  if (!(error instanceof TransientFailure)) {
    if (error instanceof TailError) return { step: 'refused', error };
    throw error;
  }
  if (kind !== 'eof' && deliveryOf(error) === 'in-doubt') return { step: 'in-doubt' };
  if (attempt > maxRetries) return { step: 'exhausted', reason: error.message };
  return { step: 'retry', delayMs: backoffDelay(attempt, random, error.retryAfterMs) };
}
