/**
 * The last N lines of one stream, for `--tail N`: a bounded ring fed every byte of the stream at
 * full speed, that hands out what it holds once (when the first burst has ended or the stream is
 * drained).
 *
 * A line is what the views show as one line: the line assembler's (ended by LF, CRLF or a lone CR;
 * a line longer than the cap comes out as pieces of at most the cap, and each piece counts as a
 * line). A final line without a terminator counts too. Memory is at most `lines` entries of at most
 * `maxLineBytes` each, plus the one line being assembled.
 *
 * Pure: bytes in, bytes out, no clock and no I/O.
 */
import { createLineAssembler, DEFAULT_MAX_LINE_BYTES, type AssembledLine, type LineAssembler } from './line-assembler.js';

/** A contiguous run of the stream: `bytes` starts at stream offset `offset`. */
export interface StreamRun {
  readonly bytes: Buffer;
  readonly offset: number;
}

/** See {@link createLineRing}. */
export interface LineRing {
  /** Adds bytes of the stream whose first byte is at `offset`. */
  push(bytes: Uint8Array, offset: number): void;
  /**
   * Hands out the last `lines` lines seen (a final unterminated line counts), oldest first, as
   * runs of contiguous bytes (more than one only where the stream had a gap), and empties the ring.
   */
  drain(): StreamRun[];
}

export interface LineRingOptions {
  /** The cap on one line, as in the views. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number;
}

const LF = 0x0a;

/** Creates the ring of the last `lines` lines of one stream (`lines` ≥ 0). */
export function createLineRing(lines: number, options: LineRingOptions = {}): LineRing {
  if (!Number.isSafeInteger(lines) || lines < 0) throw new RangeError(`lines must be an integer >= 0, got ${lines}`);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let assembler: LineAssembler = createLineAssembler({ maxLineBytes });
  // A circular buffer of the newest `lines` lines.
  const entries: (AssembledLine | undefined)[] = new Array<AssembledLine | undefined>(lines);
  let first = 0;
  let count = 0;

  const add = (line: AssembledLine) => {
    if (lines === 0) return;
    if (count < lines) {
      entries[(first + count) % lines] = line;
      count++;
    } else {
      entries[first] = line;
      first = (first + 1) % lines;
    }
  };
  const clear = () => {
    entries.fill(undefined);
    first = 0;
    count = 0;
  };

  /**
   * Where the lines that can still matter start: just after the (lines+1)-th LF from the end of
   * the chunk, or 0 when the chunk has fewer LFs. The bytes after that LF hold at least `lines`
   * complete lines, so every line before it would be pushed out of the ring anyway, and the line
   * assembler starts afresh there (an LF ends whatever came before it). This is what lets a tail of
   * a large stream skip the lines it will not show instead of assembling each of them.
   */
  const relevantStart = (bytes: Buffer): number => {
    let end = bytes.length;
    for (let found = 0; found <= lines; found++) {
      const at = end > 0 ? bytes.lastIndexOf(LF, end - 1) : -1;
      if (at === -1) return 0;
      if (found === lines) return at + 1;
      end = at;
    }
    return 0;
  };

  return {
    push(chunk, offset) {
      if (lines === 0 || chunk.length === 0) return;
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      const start = relevantStart(bytes);
      if (start > 0) {
        assembler = createLineAssembler({ maxLineBytes });
        clear();
      }
      const assembled = assembler.push(start === 0 ? bytes : bytes.subarray(start), offset + start);
      // Lines may share memory with the chunk: copy only those the ring keeps, so it holds at most
      // its own lines and not whole chunks.
      const kept = Math.min(assembled.length, lines);
      for (let i = assembled.length - kept; i < assembled.length; i++) {
        const line = assembled[i] as AssembledLine;
        add({ ...line, bytes: Buffer.from(line.bytes) });
      }
    },
    drain() {
      for (const line of assembler.flush()) add(line);
      const runs: StreamRun[] = [];
      let run: Buffer[] = [];
      let runOffset = 0;
      let runEnd = 0;
      for (let i = 0; i < count; i++) {
        const line = entries[(first + i) % lines] as AssembledLine;
        if (run.length > 0 && line.offset !== runEnd) {
          runs.push({ bytes: Buffer.concat(run), offset: runOffset });
          run = [];
        }
        if (run.length === 0) runOffset = line.offset;
        run.push(line.bytes);
        runEnd = line.offset + line.bytes.length;
      }
      if (run.length > 0) runs.push({ bytes: Buffer.concat(run), offset: runOffset });
      clear();
      assembler = createLineAssembler({ maxLineBytes });
      return runs;
    },
  };
}
