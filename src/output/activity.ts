/**
 * What the spinner says, and when it shows. The text names what is really happening: connecting,
 * waiting for output (connected, the command silent), reconnecting, waiting in the queue, checking
 * the status. Before the first output it shows at once; after it, a silence must last
 * {@link SILENCE_MS} before "waiting for output" appears (a reconnect or the queue show at once,
 * they are news). Any output hides it first. The caller's `show` decides whether it may be drawn
 * at all (only at the start of a line).
 */
import type { ExecutionRef } from '../api/wire.js';
import type { OutputSink, StreamName } from '../stream/types.js';

/** How long the command must be silent, after its first output, before the spinner says so. */
export const SILENCE_MS = 3000;

/** What is happening, as far as the spinner is concerned. */
export type Activity =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'waiting-for-output' }
  | { readonly kind: 'queued' }
  | { readonly kind: 'reconnecting'; readonly stream: StreamName; readonly offset: number }
  | { readonly kind: 'checking-status' };

/** The spinner text for an activity. */
export function activityText(activity: Activity, target: ExecutionRef): string {
  switch (activity.kind) {
    case 'connecting':
      return `connecting to execution ${target.executionId} on devbox ${target.devboxId}`;
    case 'waiting-for-output':
      return `connected; waiting for output from ${target.executionId}`;
    case 'queued':
      return `waiting in the queue for ${target.executionId} to start`;
    case 'reconnecting':
      return `${activity.stream}: reconnecting from byte ${activity.offset}`;
    case 'checking-status':
      return 'checking the execution status';
  }
}

/** The clock and timers the indicator uses (injected in tests). */
export interface ActivityTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ActivityOptions {
  /** Shows (or updates) the spinner with this activity. */
  readonly show: (activity: Activity) => void;
  /** Clears the spinner. */
  readonly hide: () => void;
  readonly silenceMs?: number;
  readonly timers?: ActivityTimers;
}

export interface ActivityIndicator {
  /** A connection attempt of a stream started. */
  connecting(stream: StreamName, attempt: number): void;
  /** A stream's response arrived (`true`) or its connection ended (`false`). */
  connected(stream: StreamName, connected: boolean): void;
  /** The execution is queued. */
  queued(): void;
  /** A stream will reconnect from `offset`. */
  reconnecting(stream: StreamName, offset: number): void;
  /** The status call failed and is retried. */
  checkingStatus(): void;
  /** Bytes are about to be written: the spinner goes, and the silence starts over. */
  output(): void;
  /** The follow is over: no more spinner. */
  stop(): void;
  /** The sink, reporting its streams' connections to this indicator. */
  watch(sink: OutputSink): OutputSink;
}

const realTimers: ActivityTimers = {
  // hrtime rather than performance.now(): the global `performance` loads perf_hooks (ten modules) on first use.
  now: () => Number(process.hrtime.bigint()) / 1e6,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createActivityIndicator(options: ActivityOptions): ActivityIndicator {
  const timers = options.timers ?? realTimers;
  const silenceMs = options.silenceMs ?? SILENCE_MS;
  let queued = false;
  let checking = false;
  let everConnected = false;
  let sawOutput = false;
  let silent = false;
  let stopped = false;
  let timer: unknown;
  // Streams between a cut and their next response, with the offset they resume from.
  const down = new Map<StreamName, number>();

  const current = (): Activity => {
    if (queued) return { kind: 'queued' };
    const [stream, offset] = [...down][0] ?? [];
    if (stream !== undefined && offset !== undefined) return { kind: 'reconnecting', stream, offset };
    if (checking) return { kind: 'checking-status' };
    return everConnected ? { kind: 'waiting-for-output' } : { kind: 'connecting' };
  };

  const render = () => {
    if (stopped) return;
    const activity = current();
    if (!sawOutput || silent || activity.kind !== 'waiting-for-output') options.show(activity);
    else options.hide();
  };

  // Output is written often (every chunk): it only notes the time, and one timer checks it when
  // due, instead of a new timer per write.
  let lastOutput = 0;
  const armSilence = (ms: number) => {
    timer = timers.setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      const quiet = timers.now() - lastOutput;
      if (quiet < silenceMs) return armSilence(silenceMs - quiet);
      silent = true;
      render();
    }, ms);
  };

  const indicator: ActivityIndicator = {
    connecting(_stream, attempt) {
      if (attempt === 0 && !sawOutput) render();
    },
    connected(stream, connected) {
      if (!connected) return;
      everConnected = true;
      queued = false;
      checking = false;
      down.delete(stream);
      render();
    },
    queued() {
      queued = true;
      render();
    },
    reconnecting(stream, offset) {
      down.set(stream, offset);
      render();
    },
    checkingStatus() {
      checking = true;
      render();
    },
    output() {
      options.hide();
      sawOutput = true;
      silent = false;
      queued = false;
      lastOutput = timers.now();
      if (!stopped && timer === undefined) armSilence(silenceMs);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      options.hide();
    },
    watch(sink) {
      return {
        write: (stream, bytes, offset) => sink.write(stream, bytes, offset),
        placed: (stream, position, unplaced) => sink.placed?.(stream, position, unplaced),
        ready: (stream) => sink.ready(stream),
        flush: () => sink.flush?.(),
        end: (stream) => sink.end(stream),
        close: () => sink.close(),
        connected(stream, connected) {
          sink.connected?.(stream, connected);
          indicator.connected(stream, connected);
        },
      };
    },
  };
  return indicator;
}
