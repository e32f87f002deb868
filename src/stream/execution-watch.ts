/**
 * The execution's status, shared by both stream followers: a closed stream alone does not mean
 * "done", the status does. Concurrent refreshes share one request; transient failures are retried
 * with the same policy as the streams.
 */
import { getExecution, waitForStatus, type ApiTarget, type ExecutionView } from '../api/client.js';
import type { ExecutionStatus } from '../api/wire.js';
import { TransientFailure } from '../api/errors.js';
import { TailError } from '../errors.js';
import { backoffDelay } from '../api/backoff.js';
import type { FollowEvent } from './types.js';

/** Where the execution's status comes from: the API, or a scripted source in tests. */
export interface StatusSource {
  /** The execution's view now. */
  get(signal: AbortSignal, timeoutMs: number | undefined): Promise<ExecutionView>;
  /** Long-polls until the status is one of `statuses`; undefined when the server's hold ran out. */
  waitFor(statuses: readonly ExecutionStatus[], signal: AbortSignal, timeoutMs: number | undefined): Promise<ExecutionView | undefined>;
}

/** The status of one execution, asked of the API. */
export function apiStatusSource(target: ApiTarget, devboxId: string, executionId: string): StatusSource {
  return {
    get: (signal, timeoutMs) => getExecution(target, devboxId, executionId, signal, timeoutMs),
    waitFor: (statuses, signal, timeoutMs) => waitForStatus(target, devboxId, executionId, statuses, signal, timeoutMs),
  };
}

export interface WatchOptions {
  readonly target: ApiTarget;
  readonly devboxId: string;
  readonly executionId: string;
  readonly maxRetries: number;
  /** The time-out of each status request (the long-poll adds the server's hold to it). */
  readonly requestTimeoutMs?: number;
  readonly signal: AbortSignal;
  readonly onEvent: (event: FollowEvent) => void;
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Default: the API at `target`. */
  readonly status?: StatusSource;
}

export class ExecutionWatch {
  #view: ExecutionView | undefined;
  #inFlight: Promise<ExecutionView> | undefined;
  readonly #options: WatchOptions;
  readonly #status: StatusSource;

  constructor(options: WatchOptions) {
    this.#options = options;
    this.#status = options.status ?? apiStatusSource(options.target, options.devboxId, options.executionId);
  }

  /** The last view seen. */
  get view(): ExecutionView | undefined {
    return this.#view;
  }

  get completed(): boolean {
    return this.#view?.status === 'completed';
  }

  /** Fetches the status now (one request for concurrent callers). */
  refresh(): Promise<ExecutionView> {
    this.#inFlight ??= this.#retrying(() => this.#status.get(this.#options.signal, this.#options.requestTimeoutMs)).finally(
      () => (this.#inFlight = undefined),
    );
    return this.#inFlight;
  }

  /** Waits while the execution is queued (long-poll, renewed when the server's hold runs out). */
  async untilStarted(): Promise<ExecutionView> {
    let view = this.#view ?? (await this.refresh());
    if (view.status === 'queued') this.#options.onEvent({ type: 'waiting', status: 'queued' });
    while (view.status === 'queued') {
      const next = await this.#retrying(() => this.#status.waitFor(['running', 'completed'], this.#options.signal, this.#options.requestTimeoutMs));
      view = next ?? view;
    }
    return view;
  }

  async #retrying<T extends ExecutionView | undefined>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await call();
        if (result) this.#view = result;
        return result;
      } catch (error) {
        if (this.#options.signal.aborted) throw this.#options.signal.reason;
        if (!(error instanceof TransientFailure)) throw error;
        if (attempt > this.#options.maxRetries) {
          throw new TailError('retries-exhausted', `gave up asking for the execution status after ${this.#options.maxRetries} retries: ${error.message}`, {
            cause: error,
          });
        }
        const delayMs = backoffDelay(attempt, this.#options.random(), error.retryAfterMs);
        this.#options.onEvent({ type: 'retrying', stream: 'status', offset: 0, attempt, delayMs, reason: error.message });
        await this.#options.sleep(delayMs, this.#options.signal);
      }
    }
  }
}
