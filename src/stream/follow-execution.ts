/**
 * Follows an execution: waits while it is queued, follows the chosen streams side by side, and
 * returns the exit status once both are drained. The first permanent failure of either stream
 * stops the other.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { requestTimeoutFor, type ApiTarget, type ExecutionView } from '../api/client.js';
import type { openConnection } from './connection.js';
import { ExecutionWatch, type StatusSource } from './execution-watch.js';
import { followStream } from './follow-stream.js';
import type { FollowEvent, OutputSink, StreamName } from './types.js';

export interface FollowOptions {
  readonly target: ApiTarget;
  readonly devboxId: string;
  readonly executionId: string;
  readonly streams: readonly StreamName[];
  readonly startOffsets: Readonly<Record<StreamName, number>>;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly sink: OutputSink;
  readonly onEvent?: (event: FollowEvent) => void;
  /** Called once the execution has left the queue, with its status then (running or completed). */
  readonly onStarted?: (status: ExecutionView['status']) => void;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How each stream connection is made; default: the API over HTTP (tests give scripted ones). */
  readonly open?: typeof openConnection;
  /** Where the status comes from; default: the API. */
  readonly status?: StatusSource;
}

export interface FollowResult {
  /** The remote command's exit status (null when the service reported none). */
  readonly exitStatus: number | null;
  /** Bytes the service could not deliver (gaps), over both streams. */
  readonly missingBytes: number;
}

/** Live positions: the offsets to resume from, readable at any moment (Ctrl-C, give-up). */
export interface FollowProgress {
  readonly positions: Record<StreamName, number>;
}

const sleepFor = async (ms: number, signal: AbortSignal): Promise<void> => {
  if (ms > 0) await delay(ms, undefined, { signal });
};

/** Creates the progress record a follow updates as it writes. */
export function createProgress(startOffsets: Readonly<Record<StreamName, number>>): FollowProgress {
  return { positions: { stdout: startOffsets.stdout, stderr: startOffsets.stderr } };
}

export async function followExecution(options: FollowOptions, progress = createProgress(options.startOffsets)): Promise<FollowResult> {
  const onEvent = options.onEvent ?? (() => {});
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  let missingBytes = 0;
  const report = (event: FollowEvent) => {
    if (event.type === 'gap') missingBytes += event.length;
    onEvent(event);
  };

  // One stream failing for good stops the other; the user's abort stops both.
  const both = new AbortController();
  const signal = AbortSignal.any([options.signal, both.signal]);
  const execution = new ExecutionWatch({
    target: options.target,
    devboxId: options.devboxId,
    executionId: options.executionId,
    maxRetries: options.maxRetries,
    requestTimeoutMs: requestTimeoutFor(options.idleTimeoutMs),
    signal,
    onEvent: report,
    random,
    sleep,
    status: options.status,
  });

  const started = await execution.untilStarted();
  options.onStarted?.(started.status);
  const followers = options.streams.map((stream) =>
    followStream({
      target: options.target,
      devboxId: options.devboxId,
      executionId: options.executionId,
      stream,
      startOffset: options.startOffsets[stream],
      maxRetries: options.maxRetries,
      idleTimeoutMs: options.idleTimeoutMs,
      signal,
      sink: options.sink,
      execution,
      onEvent: report,
      onPosition: (position) => (progress.positions[stream] = position),
      random,
      now,
      sleep,
      open: options.open,
    }).catch((error: unknown) => {
      if (!both.signal.aborted) both.abort(error);
      throw error;
    }),
  );
  const results = await Promise.allSettled(followers);
  if (options.signal.aborted) throw options.signal.reason;
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw both.signal.aborted ? both.signal.reason : failed.reason;

  const view = execution.completed ? execution.view : await execution.refresh();
  const exitStatus = view?.exit_status ?? null;
  onEvent({ type: 'completed', exitStatus });
  return { exitStatus, missingBytes };
}
