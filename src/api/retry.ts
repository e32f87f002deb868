/**
 * Retries an idempotent call (status, kill) through transient failures with the shared backoff.
 */
import { TailError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import { TransientFailure } from './errors.js';

export interface RetryOptions {
  /** Failed attempts in a row before giving up. */
  readonly maxRetries: number;
  readonly signal?: AbortSignal | undefined;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Calls `call` until it succeeds, fails for good, or fails transiently `maxRetries + 1` times in a row. */
export async function retryTransient<T>(what: string, call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransientFailure) || options.signal?.aborted) throw error;
      if (attempt > options.maxRetries) {
        throw new TailError('retries-exhausted', `${what} failed ${attempt} times in a row: ${error.message}; try again later or raise --max-retries`);
      }
      await wait(backoffDelay(attempt, random(), error.retryAfterMs), options.signal);
    }
  }
}
