import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTailSink } from '../../src/output/tail-sink.js';
import type { OutputSink, StreamName } from '../../src/stream/types.js';

/** An inner sink that records what reaches it. */
function recorder() {
  const writes: [StreamName, string, number][] = [];
  const calls: string[] = [];
  const sink: OutputSink = {
    write: (stream, bytes, offset) => void writes.push([stream, bytes.toString(), offset]),
    ready: () => undefined,
    end: (stream) => void calls.push(`end ${stream}`),
    close: () => void calls.push('close'),
    connected: (stream, connected) => void calls.push(`${stream} ${connected ? 'up' : 'down'}`),
  };
  return { sink, writes, calls };
}

const QUIET = 100;

/** Lets `ms` pass, then runs what the quiet timers deferred to after pending reads (setImmediate). */
function passTime(ms: number): void {
  vi.advanceTimersByTime(ms);
  runPendingChecks();
}
const deferred: (() => void)[] = [];
const runPendingChecks = () => deferred.splice(0).forEach((check) => check());
/** The sink's options in these tests: quiet checks run when the test says reads are done. */
const QUIET_OPTIONS = { quietMs: QUIET, afterPendingReads: (check: () => void) => void deferred.push(check) };

beforeEach(() => {
  vi.useFakeTimers();
  deferred.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('tail sink', () => {
  it('holds the first burst, writes its last lines at the drain, then ends the stream', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 2, ...QUIET_OPTIONS });
    tail.executionCompleted();
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('a\nb\nc\n'), 0);
    tail.write('stdout', Buffer.from('d'), 6);
    passTime(10 * QUIET); // completed: a quiet spell does not end the burst
    expect(inner.writes).toEqual([]);
    tail.end('stdout');
    expect(inner.writes).toEqual([['stdout', 'c\nd', 4]]);
    expect(inner.calls).toEqual(['stdout up', 'end stdout']);
  });

  it('ends a running burst after a quiet spell while connected, then passes bytes through', () => {
    const ended: unknown[] = [];
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, ...QUIET_OPTIONS, onBurstEnd: (...args) => ended.push(args) });
    tail.connected?.('stderr', true);
    tail.write('stderr', Buffer.from('x\ny\n'), 10);
    passTime(QUIET - 1);
    expect(inner.writes).toEqual([]);
    passTime(1);
    expect(inner.writes).toEqual([['stderr', 'y\n', 12]]);
    expect(ended).toEqual([['stderr', 12, 14]]);
    tail.write('stderr', Buffer.from('z\n'), 14);
    expect(inner.writes.at(-1)).toEqual(['stderr', 'z\n', 14]);
  });

  it('bytes read right after the quiet timer fires (this process was paused) keep the burst going', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, ...QUIET_OPTIONS });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('1\n'), 0);
    vi.advanceTimersToNextTimer(); // the quiet timer fires; the check waits for pending reads
    tail.write('stdout', Buffer.from('2\n'), 2); // a read that was waiting when the timer fired
    passTime(QUIET - 1);
    expect(inner.writes).toEqual([]);
    passTime(1);
    expect(inner.writes).toEqual([['stdout', '2\n', 2]]);
  });

  it('a quiet timer that fires while the stream went unread (disconnected meanwhile) ends nothing', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, ...QUIET_OPTIONS });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('1\n'), 0);
    vi.advanceTimersToNextTimer();
    tail.connected?.('stdout', false); // e.g. the offset probe pauses the stream
    passTime(10 * QUIET);
    expect(inner.writes).toEqual([]);
  });

  it('does not count time spent disconnected (a reconnect inside the backlog)', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, ...QUIET_OPTIONS });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('1\n'), 0);
    tail.connected?.('stdout', false);
    passTime(10 * QUIET);
    expect(inner.writes).toEqual([]);
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('2\n'), 2);
    passTime(QUIET);
    expect(inner.writes).toEqual([['stdout', '2\n', 2]]);
  });

  it('each stream has its own burst; reading during a burst is never held back', () => {
    const inner = recorder();
    inner.sink.ready = () => Promise.resolve();
    const tail = createTailSink(inner.sink, { lines: 1, ...QUIET_OPTIONS });
    tail.connected?.('stdout', true);
    expect(tail.ready('stdout')).toBeUndefined();
    passTime(QUIET);
    expect(tail.ready('stdout')).toBeInstanceOf(Promise);
    expect(tail.ready('stderr')).toBeUndefined();
  });

  it('stopping early writes what the ring holds, so the resume offsets match the output', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 5, ...QUIET_OPTIONS });
    tail.write('stdout', Buffer.from('partial'), 3);
    tail.close();
    expect(inner.writes).toEqual([['stdout', 'partial', 3]]);
    expect(inner.calls).toEqual(['close']);
  });

  it('--tail 0 shows nothing of the burst', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 0, ...QUIET_OPTIONS });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('old\n'), 0);
    passTime(QUIET);
    tail.write('stdout', Buffer.from('new\n'), 4);
    expect(inner.writes).toEqual([['stdout', 'new\n', 4]]);
  });
});
