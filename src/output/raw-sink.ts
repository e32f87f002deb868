/**
 * The byte-faithful sink: each stream's bytes go to their file descriptor exactly as the remote
 * command wrote them. Used in pipes and files, and (through a transform) on terminals.
 */
import { once } from 'node:events';
import type { Output } from '../io.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { batchesFor } from './write-batch.js';

export interface Outputs {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** Where a stream's bytes go: stderr to stderr unless merged. */
export function outputFor(outputs: Outputs, stream: StreamName, merge: boolean): Output {
  return stream === 'stderr' && !merge ? outputs.stderr : outputs.stdout;
}

/** Back-pressure: a promise that resolves on 'drain' while the output's buffer is full. */
export function whenWritable(output: Output): Promise<void> | undefined {
  if (!output.writableNeedDrain) return undefined;
  return once(output, 'drain').then(() => undefined);
}

/** Called with each piece before it is written (to clear a spinner, to know where lines end). */
export type BeforeWrite = (output: Output, data: string | Buffer) => void;

/** Colour added to a stream's exact bytes (`--color always` on an output that is not a terminal). */
export type BytePaint = Readonly<Partial<Record<StreamName, (bytes: Buffer) => Buffer>>>;

/**
 * Bytes as they are, one write per output per turn of the event loop (the events of one socket
 * read: see write-batch.ts). Back-pressure is asked for only after what is held was written, so it
 * still reaches the socket. `paint` adds colour around a stream's bytes (`--color always`).
 */
export function createRawSink(outputs: Outputs, merge: boolean, beforeWrite: BeforeWrite = () => {}, paint: BytePaint = {}): OutputSink {
  const batchOf = batchesFor((output, bytes) => {
    beforeWrite(output, bytes);
    output.write(bytes);
  });
  const flushAll = () => {
    batchOf(outputs.stdout).flush();
    batchOf(outputs.stderr).flush();
  };
  return {
    write: (stream, bytes) => batchOf(outputFor(outputs, stream, merge)).push(paint[stream]?.(bytes) ?? bytes),
    ready: (stream) => {
      const output = outputFor(outputs, stream, merge);
      batchOf(output).flush();
      return whenWritable(output);
    },
    flush: flushAll,
    end: (stream) => batchOf(outputFor(outputs, stream, merge)).flush(),
    close: flushAll,
  };
}
