/**
 * The drain and idle rules of followStream, with scripted connections and a fake clock: a finished
 * stream the service keeps open (silent, keep-alives, trickle) ends within the idle time-out plus the
 * drain probe; no response head is a counted failure; 408 forever after completion ends in
 * retries-exhausted instead of a loop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExecutionView } from '../../src/api/client.js';
import { TailError } from '../../src/errors.js';
import type { ConnectionOptions, ConnectionOutcome } from '../../src/stream/connection.js';
import type { ExecutionWatch } from '../../src/stream/execution-watch.js';
import { DRAIN_PROBE_MS, followStream } from '../../src/stream/follow-stream.js';
import type { FollowEvent, OutputSink } from '../../src/stream/types.js';

const IDLE_MS = 10_000;

/** One connection's behaviour: what it does once opened, given its options. */
type Script = (options: ConnectionOptions) => Promise<ConnectionOutcome>;

/** Resolves 'aborted' when the follower aborts the connection (idle time-out), never by itself. */
const untilAborted = (options: ConnectionOptions): Promise<ConnectionOutcome> =>
  new Promise((resolve) => {
    if (options.signal.aborted) resolve({ kind: 'aborted' });
    options.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
  });

const completedWatch = (exitStatus = 0): ExecutionWatch => {
  const view: ExecutionView = { devbox_id: 'dbx', execution_id: 'exn', status: 'completed', exit_status: exitStatus };
  return { completed: true, view, refresh: () => Promise.resolve(view) } as unknown as ExecutionWatch;
};

function run(scripts: Script[], options: { maxRetries?: number; idleTimeoutMs?: number } = {}) {
  const written: string[] = [];
  const events: FollowEvent[] = [];
  let opened = 0;
  const sink: OutputSink = {
    write: (_stream, bytes) => void written.push(bytes.toString()),
    ready: () => undefined,
    end: () => undefined,
    close: () => undefined,
  };
  const startedAt = Date.now();
  const done = followStream({
    target: { baseUrl: 'http://127.0.0.1:1', apiKey: 'k' },
    devboxId: 'dbx',
    executionId: 'exn',
    stream: 'stdout',
    startOffset: 0,
    maxRetries: options.maxRetries ?? 3,
    idleTimeoutMs: options.idleTimeoutMs ?? IDLE_MS,
    signal: new AbortController().signal,
    sink,
    execution: completedWatch(),
    onEvent: (event) => events.push(event),
    onPosition: () => undefined,
    random: () => 0,
    now: () => Date.now(),
    sleep: () => Promise.resolve(),
    open: (connection) => {
      const script = scripts[Math.min(opened, scripts.length - 1)] as Script;
      opened++;
      return script(connection);
    },
  });
  const settled = done.then(
    () => ({ ok: true as const, elapsedMs: Date.now() - startedAt }),
    (error: unknown) => ({ ok: false as const, error, elapsedMs: Date.now() - startedAt }),
  );
  return { settled, written, events, opened: () => opened };
}

/** Sends 'all\n' (ending at offset 4) then behaves as `after`. */
const dataThen = (after: (options: ConnectionOptions) => void): Script => (options) => {
  options.onActivity();
  options.onChunk({ bytes: Buffer.from('all\n'), offset: 4 });
  after(options);
  return untilAborted(options);
};

describe('followStream after completion', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each<[string, (options: ConnectionOptions) => void]>([
    ['silent', () => {}],
    ['keep-alives', (options) => void setInterval(() => (options.onActivity(), options.onKeepAlive?.()), 100)],
    ['a 1-byte-per-second trickle', (options) => void setInterval(() => options.onActivity(), 1000)],
  ])('a stream kept open (%s) is drained within the idle time-out plus the probe', async (_name, after) => {
    const { settled, written, opened } = run([dataThen(after), dataThen(after)]);
    await vi.advanceTimersByTimeAsync(IDLE_MS + DRAIN_PROBE_MS + 100);
    const result = await settled;
    expect(result.ok).toBe(true);
    expect(result.elapsedMs).toBeLessThanOrEqual(IDLE_MS + DRAIN_PROBE_MS + 100);
    expect(written).toEqual(['all\n']); // the second connection's resend is not written again
    expect(opened()).toBe(2);
    vi.clearAllTimers();
  });

  it('no response head at all: counted, retries exhausted, never drained', async () => {
    const { settled, opened } = run([untilAborted], { maxRetries: 2 });
    await vi.advanceTimersByTimeAsync(4 * IDLE_MS);
    const result = await settled;
    expect(result.ok).toBe(false);
    expect((result as { error: unknown }).error).toBeInstanceOf(TailError);
    expect(((result as { error: TailError }).error).kind).toBe('retries-exhausted');
    expect(opened()).toBe(3);
  });

  it('an HTTP 408 on every connection made after completion is counted, not looped on', async () => {
    const answer408: Script = (options) => {
      options.onActivity();
      return Promise.resolve({ kind: 'http', status: 408, body: '', retryAfterMs: undefined });
    };
    const { settled, opened } = run([answer408], { maxRetries: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    const result = await settled;
    expect(result.ok).toBe(false);
    expect(((result as { error: TailError }).error).kind).toBe('retries-exhausted');
    expect(opened()).toBe(3);
  });

  it('under an idle time-out shorter than the probe, first bytes late after the head are still awaited', async () => {
    // The head at once, the output only 1.5 s later (a busy service): with --idle-timeout 0.3s the
    // connection's silence must not end the stream before the drain probe has passed.
    const late: Script = (options) => {
      options.onActivity();
      setTimeout(() => {
        options.onActivity();
        options.onChunk({ bytes: Buffer.from('late\n'), offset: 5 });
      }, 1500);
      return untilAborted(options);
    };
    const silent: Script = (options) => {
      options.onActivity();
      return untilAborted(options);
    };
    const { settled, written, opened } = run([late, silent], { idleTimeoutMs: 300 });
    await vi.advanceTimersByTimeAsync(1500 + 2 * DRAIN_PROBE_MS + 100);
    const result = await settled;
    expect(result.ok).toBe(true);
    expect(written).toEqual(['late\n']);
    expect(opened()).toBe(2);
    vi.clearAllTimers();
  });

  it('a connection that answers and closes with nothing new is drained at once', async () => {
    const closes: Script = (options) => {
      options.onActivity();
      return Promise.resolve({ kind: 'ended' });
    };
    const { settled, events } = run([closes]);
    await vi.advanceTimersByTimeAsync(0);
    expect((await settled).ok).toBe(true);
    expect(events.some((event) => event.type === 'drained')).toBe(true);
  });
});
