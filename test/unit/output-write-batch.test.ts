import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createWriteBatch } from '../../src/output/write-batch.js';
import { createRawSink } from '../../src/output/raw-sink.js';

/** Resolves after the microtasks queued so far (and those they queue) have run. */
const afterMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('write batch', () => {
  it('writes what was pushed in one turn in one call, in order, once the turn ends', async () => {
    const writes: string[] = [];
    const batch = createWriteBatch((bytes) => writes.push(bytes.toString()));
    batch.push(Buffer.from('a'));
    batch.push(Buffer.from(''));
    batch.push(Buffer.from('bc'));
    expect(writes).toEqual([]);
    await afterMicrotasks();
    expect(writes).toEqual(['abc']);
    batch.push(Buffer.from('d'));
    await afterMicrotasks();
    expect(writes).toEqual(['abc', 'd']);
  });

  it('flush writes what is held at once, and the scheduled write then has nothing left', async () => {
    const writes: string[] = [];
    const batch = createWriteBatch((bytes) => writes.push(bytes.toString()));
    batch.push(Buffer.from('x'));
    batch.flush();
    expect(writes).toEqual(['x']);
    batch.push(Buffer.from('y'));
    await afterMicrotasks();
    expect(writes).toEqual(['x', 'y']);
  });

  it('a single piece is written as it is, not copied', async () => {
    const written: Buffer[] = [];
    const batch = createWriteBatch((bytes) => written.push(bytes));
    const piece = Buffer.from('one');
    batch.push(piece);
    await afterMicrotasks();
    expect(written[0]).toBe(piece);
  });
});

describe('raw sink', () => {
  const outputs = () => {
    const seen: string[] = [];
    // Writable calls write() at once while nothing is pending: `seen` is what reached the output.
    const recording = (name: string) =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          seen.push(`${name}:${chunk.toString()}`);
          callback();
        },
      });
    return { stdout: recording('out'), stderr: recording('err'), seen };
  };

  it('merged streams keep the order they were written in', async () => {
    const io = outputs();
    const sink = createRawSink(io, true);
    sink.write('stdout', Buffer.from('1'), 0);
    sink.write('stderr', Buffer.from('2'), 0);
    sink.write('stdout', Buffer.from('3'), 1);
    await afterMicrotasks();
    expect(io.seen).toEqual(['out:123']);
  });

  it('asking for back-pressure and flush write what is held first', async () => {
    const io = outputs();
    const sink = createRawSink(io, false);
    sink.write('stderr', Buffer.from('held'), 0);
    // Far below the high-water mark: nothing to wait for, and the held bytes are written already.
    expect(sink.ready('stderr')).toBeUndefined();
    await afterMicrotasks();
    expect(io.seen).toEqual(['err:held']);
    sink.write('stdout', Buffer.from('more'), 0);
    sink.flush?.();
    io.stderr.write('note');
    await afterMicrotasks();
    expect(io.seen).toEqual(['err:held', 'out:more', 'err:note']);
  });

  it('end writes what is held for that stream', () => {
    const io = outputs();
    const sink = createRawSink(io, false);
    sink.write('stdout', Buffer.from('last'), 0);
    sink.end('stdout');
    expect(io.seen).toEqual(['out:last']);
  });
});
