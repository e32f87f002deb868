/** In-memory stand-ins for a terminal's stdin and for stdout/stderr, for in-process tests. */
import { PassThrough, Writable } from 'node:stream';
import type { Io } from '../../src/io.js';

/** A terminal stdin: raw-mode switches are recorded, keys are written by the test. */
export class FakeTty extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
}

/** A writable that keeps what is written, readable as text. */
export function textSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    }),
    text: () => chunks.join(''),
  };
}

/**
 * An Io for running the CLI in-process: stdout and stderr kept as text (neither a terminal), an
 * empty stdin, the environment as given, a signal never aborted.
 */
export function fakeIo(env: Record<string, string> = {}): { io: Io; stdout: () => string; stderr: () => string } {
  const stdout = textSink();
  const stderr = textSink();
  const io: Io = { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough(), env, signal: new AbortController().signal };
  return { io, stdout: stdout.text, stderr: stderr.text };
}
