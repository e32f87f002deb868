/** In-memory stand-ins for a terminal's stdin and for stdout/stderr, for in-process tests. */
import { PassThrough, Writable } from 'node:stream';

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
