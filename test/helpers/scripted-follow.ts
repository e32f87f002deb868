/**
 * The middle layer (followExecution → ExecutionWatch → followStream) run in memory: scripted
 * connections instead of sockets, a scripted status source instead of the API, and vitest's fake
 * timers as the clock (the watchdog, the backoff sleeps and the sinks' quiet spells all run on it).
 * A scenario plays in a few milliseconds of real time whatever fake minutes it spans.
 *
 * The caller turns fake timers on (vi.useFakeTimers) before playing and off after.
 */
import { vi } from 'vitest';
import type { ExecutionView } from '../../src/api/client.js';
import type { ExecutionStatus } from '../../src/api/wire.js';
import { TransientFailure } from '../../src/api/errors.js';
import type { ConnectionOptions, ConnectionOutcome } from '../../src/stream/connection.js';
import type { StatusSource } from '../../src/stream/execution-watch.js';
import { followExecution, type FollowResult } from '../../src/stream/follow-execution.js';
import type { FollowEvent, OutputSink, StreamName } from '../../src/stream/types.js';

/** One thing a scripted connection does after its response head. */
export type Step =
  /** The next `data` bytes of the stream's output from where this connection stands, as one chunk. */
  | { readonly data: number }
  /** A chunk exactly as given (a resend, a gap); the connection then stands at its end. */
  | { readonly chunk: string; readonly offset: number }
  /** Nothing at all for this long (fake time). */
  | { readonly wait: number };

/** How a scripted connection ends once its steps are done. */
export type Ending =
  /** The server ends the response cleanly. */
  | 'ended'
  /** Nothing more, ever: only the follower's idle time-out (or its abort) ends it. */
  | 'hang'
  /** Keep-alive comments every second and nothing else, until aborted. */
  | 'keep-alive'
  /** A byte every second that never makes an event, until aborted. */
  | 'trickle'
  /** Any other outcome, as the real connection reports it. */
  | Exclude<ConnectionOutcome, { kind: 'ended' } | { kind: 'aborted' }>;

export interface ConnectionScript {
  /** Whether a response head arrives (default true); without one, only `ending` happens. */
  readonly head?: boolean;
  readonly steps?: readonly Step[];
  readonly end: Ending;
}

/** What the status source answers to one request. */
export type StatusAnswer = ExecutionStatus | { readonly transient: string; readonly retryAfterMs?: number };

/** Decides each status answer from the request's number, the connections opened so far and the fake time. */
export type StatusScript = (request: { readonly call: number; readonly opened: number; readonly elapsedMs: number }) => StatusAnswer;

/** Running until `n` stream connections have been opened, then completed. */
export const completedAfter =
  (n: number): StatusScript =>
  ({ opened }) =>
    opened >= n ? 'completed' : 'running';

/** Running until `ms` of fake time have passed, then completed. */
export const completedAt =
  (ms: number): StatusScript =>
  ({ elapsedMs }) =>
    elapsedMs >= ms ? 'completed' : 'running';

export interface Scenario {
  /** Each stream's whole output (default: three short lines on stdout, one on stderr). */
  readonly outputs?: Partial<Record<StreamName, string>>;
  /** The connections of each followed stream, in order; the last one repeats. */
  readonly connections: Partial<Record<StreamName, readonly ConnectionScript[]>>;
  readonly status: StatusScript;
  readonly exitStatus?: number | null;
  readonly maxRetries?: number;
  readonly idleTimeoutMs?: number;
  readonly startOffsets?: Partial<Record<StreamName, number>>;
  /** What chunk offsets mean on this service (default 'end', as the real one). */
  readonly meaning?: 'end' | 'start';
  /** The backoff's random number (default 0: the shortest delay of each attempt). */
  readonly random?: number;
  /** The sink to write to (default: one that records every write and never pushes back). */
  readonly sink?: OutputSink;
}

export const DEFAULT_OUTPUTS: Readonly<Record<StreamName, string>> = { stdout: 'one\ntwo\nthree\n', stderr: 'warning\n' };

export interface Played {
  /** Every write of the follower to the sink, per stream, in order. */
  readonly writes: Record<StreamName, { readonly text: string; readonly offset: number }[]>;
  /** The offset each connection asked for, per stream, in order. */
  readonly offsets: Record<StreamName, number[]>;
  /** Every wait the follow chose (backoff, Retry-After), in order. */
  readonly sleeps: number[];
  readonly events: FollowEvent[];
  /** How many status requests were made. */
  readonly statusCalls: () => number;
  /** The follow's result, or the error it ended with. */
  readonly result: { readonly ok: true; readonly value: FollowResult } | { readonly ok: false; readonly error: unknown };
  /** Fake time from the start to the end of the follow. */
  readonly elapsedMs: number;
}

/** Resolves when `signal` aborts (at once when it already has). */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** A delay on the (fake) clock that rejects with the signal's reason, as timers/promises does. */
export function fakeSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms` of fake time, or until aborted; true when aborted. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return fakeSleep(ms, signal).then(
    () => false,
    () => true,
  );
}

/** Calls `tick` every second until `signal` aborts. */
async function everySecond(tick: () => void, signal: AbortSignal): Promise<void> {
  const timer = setInterval(tick, 1000);
  await whenAborted(signal);
  clearInterval(timer);
}

/** A connection that plays `script` against `output` as the real one would report it. */
async function play(script: ConnectionScript, output: Buffer, options: ConnectionOptions, meaning: 'end' | 'start'): Promise<ConnectionOutcome> {
  const aborted: ConnectionOutcome = { kind: 'aborted' };
  if (options.signal.aborted) return aborted;
  const end = script.end;
  if (script.head === false) {
    if (end !== 'hang') return end === 'ended' || end === 'keep-alive' || end === 'trickle' ? aborted : end;
    await whenAborted(options.signal);
    return aborted;
  }
  options.onActivity(); // the response head
  let at = Number(options.url.searchParams.get('offset'));
  for (const step of script.steps ?? []) {
    if ('wait' in step) {
      if (await pause(step.wait, options.signal)) return aborted;
      continue;
    }
    let chunk: { bytes: Buffer; offset: number };
    if ('data' in step) {
      const bytes = output.subarray(at, at + step.data);
      chunk = { bytes, offset: meaning === 'end' ? at + bytes.length : at };
      at += bytes.length;
    } else {
      const bytes = Buffer.from(step.chunk);
      chunk = { bytes, offset: step.offset };
      at = meaning === 'end' ? step.offset : step.offset + bytes.length;
    }
    options.onActivity();
    options.onChunk(chunk);
    // As the real connection: the body is not read while the outputs are full.
    const wait = options.ready();
    if (wait !== undefined) await wait;
    if (options.signal.aborted) return aborted;
  }
  switch (end) {
    case 'ended':
      return { kind: 'ended' };
    case 'hang':
      await whenAborted(options.signal);
      return aborted;
    case 'keep-alive':
      await everySecond(() => (options.onActivity(), options.onKeepAlive?.()), options.signal);
      return aborted;
    case 'trickle':
      await everySecond(() => options.onActivity(), options.signal);
      return aborted;
    default:
      return end;
  }
}

/** A sink that records every write and never pushes back. */
function recordingSink(writes: Played['writes']): OutputSink {
  return {
    write: (stream, bytes, offset) => void writes[stream].push({ text: bytes.toString(), offset }),
    ready: () => undefined,
    end: () => undefined,
    close: () => undefined,
  };
}

/** How many fake-timer steps a scenario may take before it counts as stuck. */
const MAX_STEPS = 5000;

/** A scenario started: its records fill as the fake clock is advanced. */
export interface Started extends Omit<Played, 'result' | 'elapsedMs'> {
  /** Advances the fake clock until the follow ends, and returns what it did. */
  finish(): Promise<Played>;
}

/** Plays a scenario to its end on the fake clock. */
export function playScenario(scenario: Scenario): Promise<Played> {
  return startScenario(scenario).finish();
}

/** Starts a scenario; nothing happens until the fake clock is advanced. */
export function startScenario(scenario: Scenario): Started {
  const outputs = { ...DEFAULT_OUTPUTS, ...scenario.outputs };
  const streams = (['stdout', 'stderr'] as const).filter((stream) => scenario.connections[stream] !== undefined);
  const writes: Played['writes'] = { stdout: [], stderr: [] };
  const offsets: Played['offsets'] = { stdout: [], stderr: [] };
  const sleeps: number[] = [];
  const events: FollowEvent[] = [];
  let opened = 0;
  let calls = 0;
  const startedAt = Date.now();

  const viewOf = (status: ExecutionStatus): ExecutionView => ({
    devbox_id: 'dbx_1',
    execution_id: 'exn_1',
    status,
    exit_status: status === 'completed' ? (scenario.exitStatus === undefined ? 0 : scenario.exitStatus) : null,
  });
  const answer = (): ExecutionView => {
    const said = scenario.status({ call: calls++, opened, elapsedMs: Date.now() - startedAt });
    if (typeof said === 'object') throw new TransientFailure(said.transient, { retryAfterMs: said.retryAfterMs });
    return viewOf(said);
  };
  const status: StatusSource = {
    get: () => Promise.resolve().then(answer),
    // A queued answer to the long-poll stands for its hold running out (undefined, as a 408 does).
    waitFor: () =>
      Promise.resolve().then(() => {
        const view = answer();
        return view.status === 'queued' ? undefined : view;
      }),
  };

  const open = (options: ConnectionOptions): Promise<ConnectionOutcome> => {
    const stream: StreamName = options.url.pathname.endsWith('stream_stderr_updates') ? 'stderr' : 'stdout';
    const scripts = scenario.connections[stream] ?? [];
    const script = scripts[Math.min(offsets[stream].length, scripts.length - 1)];
    if (script === undefined) throw new Error(`no connection scripted for ${stream}`);
    offsets[stream].push(Number(options.url.searchParams.get('offset')));
    opened++;
    return play(script, Buffer.from(outputs[stream]), options, scenario.meaning ?? 'end');
  };

  let settled: Played['result'] | undefined;
  let endedAt = startedAt;
  void followExecution({
    target: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k_test' },
    devboxId: 'dbx_1',
    executionId: 'exn_1',
    streams,
    startOffsets: { stdout: scenario.startOffsets?.stdout ?? 0, stderr: scenario.startOffsets?.stderr ?? 0 },
    maxRetries: scenario.maxRetries ?? 3,
    idleTimeoutMs: scenario.idleTimeoutMs ?? 10_000,
    signal: new AbortController().signal,
    sink: scenario.sink ?? recordingSink(writes),
    onEvent: (event) => events.push(event),
    random: () => scenario.random ?? 0,
    now: () => Date.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return fakeSleep(ms, signal);
    },
    open,
    status,
  }).then(
    (value) => {
      settled = { ok: true, value };
      endedAt = Date.now();
    },
    (error: unknown) => {
      settled = { ok: false, error };
      endedAt = Date.now();
    },
  );
  const records = { writes, offsets, sleeps, events, statusCalls: () => calls };
  return {
    ...records,
    async finish() {
      for (let step = 0; settled === undefined; step++) {
        if (step === MAX_STEPS) throw new Error(`the follow did not end within ${MAX_STEPS} timer steps`);
        await vi.advanceTimersToNextTimerAsync();
      }
      // Whatever the scenario left behind (a keep-alive of a stream that ended the other way) goes.
      vi.clearAllTimers();
      return { ...records, result: settled, elapsedMs: endedAt - startedAt };
    },
  };
}
