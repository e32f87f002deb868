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

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('tail sink', () => {
  it('holds the first burst, writes its last lines at the drain, then ends the stream', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 2, quietMs: QUIET });
    tail.executionCompleted();
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('a\nb\nc\n'), 0);
    tail.write('stdout', Buffer.from('d'), 6);
    vi.advanceTimersByTime(10 * QUIET); // completed: a quiet spell does not end the burst
    expect(inner.writes).toEqual([]);
    tail.end('stdout');
    expect(inner.writes).toEqual([['stdout', 'c\nd', 4]]);
    expect(inner.calls).toEqual(['stdout up', 'end stdout']);
  });

  it('ends a running burst after a quiet spell while connected, then passes bytes through', () => {
    const ended: unknown[] = [];
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, quietMs: QUIET, onBurstEnd: (...args) => ended.push(args) });
    tail.connected?.('stderr', true);
    tail.write('stderr', Buffer.from('x\ny\n'), 10);
    vi.advanceTimersByTime(QUIET - 1);
    expect(inner.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(inner.writes).toEqual([['stderr', 'y\n', 12]]);
    expect(ended).toEqual([['stderr', 12, 14]]);
    tail.write('stderr', Buffer.from('z\n'), 14);
    expect(inner.writes.at(-1)).toEqual(['stderr', 'z\n', 14]);
  });

  it('does not count time spent disconnected (a reconnect inside the backlog)', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 1, quietMs: QUIET });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('1\n'), 0);
    tail.connected?.('stdout', false);
    vi.advanceTimersByTime(10 * QUIET);
    expect(inner.writes).toEqual([]);
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('2\n'), 2);
    vi.advanceTimersByTime(QUIET);
    expect(inner.writes).toEqual([['stdout', '2\n', 2]]);
  });

  it('each stream has its own burst; reading during a burst is never held back', () => {
    const inner = recorder();
    inner.sink.ready = () => Promise.resolve();
    const tail = createTailSink(inner.sink, { lines: 1, quietMs: QUIET });
    tail.connected?.('stdout', true);
    expect(tail.ready('stdout')).toBeUndefined();
    vi.advanceTimersByTime(QUIET);
    expect(tail.ready('stdout')).toBeInstanceOf(Promise);
    expect(tail.ready('stderr')).toBeUndefined();
  });

  it('stopping early writes what the ring holds, so the resume offsets match the output', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 5, quietMs: QUIET });
    tail.write('stdout', Buffer.from('partial'), 3);
    tail.close();
    expect(inner.writes).toEqual([['stdout', 'partial', 3]]);
    expect(inner.calls).toEqual(['close']);
  });

  it('--tail 0 shows nothing of the burst', () => {
    const inner = recorder();
    const tail = createTailSink(inner.sink, { lines: 0, quietMs: QUIET });
    tail.connected?.('stdout', true);
    tail.write('stdout', Buffer.from('old\n'), 0);
    vi.advanceTimersByTime(QUIET);
    tail.write('stdout', Buffer.from('new\n'), 4);
    expect(inner.writes).toEqual([['stdout', 'new\n', 4]]);
  });
});
