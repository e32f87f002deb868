/**
 * The byte-faithful sink: each stream's bytes go to their file descriptor exactly as the remote
 * command wrote them. Used in pipes and files, and (through a transform) on terminals.
 */
import { once } from 'node:events';
import type { Output } from '../io.js';
import type { OutputSink, StreamName } from '../stream/types.js';

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

export function createRawSink(outputs: Outputs, merge: boolean, beforeWrite: BeforeWrite = () => {}): OutputSink {
  return {
    write: (stream, bytes) => {
      const output = outputFor(outputs, stream, merge);
      beforeWrite(output, bytes);
      output.write(bytes);
    },
    ready: (stream) => whenWritable(outputFor(outputs, stream, merge)),
    end: () => {},
    close: () => {},
  };
}
