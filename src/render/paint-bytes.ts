/**
 * Colour around exact bytes, for `--color always` on an output that is not a terminal: each run
 * of bytes between line breaks is wrapped in the colour's open and close sequences, so every line
 * (and every CR-separated piece of a progress line) carries its own colour and none is left open
 * across a chunk, a line, or the other stream's output. The bytes themselves are untouched: a
 * run never splits a UTF-8 character, since LF and CR never occur inside one.
 */

const LF = 0x0a;
const CR = 0x0d;

/** `bytes` with every run of bytes other than LF and CR wrapped in `open` … `close`. */
export function paintRuns(bytes: Uint8Array, open: string, close: string): Buffer {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const openBytes = Buffer.from(open);
  const closeBytes = Buffer.from(close);
  const parts: Buffer[] = [];
  let start = 0;
  const run = (end: number) => {
    if (end > start) parts.push(openBytes, input.subarray(start, end), closeBytes);
  };
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    if (byte === LF || byte === CR) {
      run(i);
      parts.push(input.subarray(i, i + 1));
      start = i + 1;
    }
  }
  run(input.length);
  return Buffer.concat(parts);
}
