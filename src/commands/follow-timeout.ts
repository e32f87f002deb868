/** `--timeout`: a signal aborted with a TailError('timeout') once the follow's budget runs out. */
import { TailError } from '../errors.js';
import { formatDuration } from '../duration.js';

export interface FollowTimeout {
  readonly signal: AbortSignal;
  /** Stops the timer (the follow ended first). */
  clear(): void;
}

/** Starts the budget of a follow; without one, a signal that never aborts. */
export function startTimeout(timeoutMs: number | undefined): FollowTimeout {
  const controller = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(new TailError('timeout', `stopped after --timeout ${formatDuration(timeoutMs)}`)), timeoutMs);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
