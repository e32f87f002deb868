/**
 * Cuts one output stream into lines, over bytes.
 *
 * Works on bytes rather than strings because a chunk boundary can fall inside a multi-byte UTF-8
 * character and because offsets are byte offsets. Every byte pushed comes out exactly once, in
 * order, so concatenating the `bytes` of every returned line gives the stream back unchanged.
 */
import { isContinuation, sequenceLength } from './utf8.js';

/** How a line ended. `none` only for a line emitted before its end was seen. */
export type LineTerminator = 'lf' | 'crlf' | 'cr' | 'none';

/** One line of a stream, as the assembler hands it out. */
export interface AssembledLine {
  /** The line's bytes, terminator included. May share memory with the pushed chunk. */
  readonly bytes: Buffer;
  /** Byte offset of `bytes[0]` in the stream. */
  readonly offset: number;
  readonly terminator: LineTerminator;
  /**
   * True when the line was handed out without a definite end: a quiet spell or the end of the
   * stream (`flush`), or a piece of a line longer than the size cap. What follows may continue it.
   */
  readonly partial: boolean;
}

/** A per-stream line assembler; see {@link createLineAssembler}. */
export interface LineAssembler {
  /**
   * Adds a chunk whose first byte is at `offset` in the stream and returns the lines it completes.
   * If something is held and `offset` is not where the held bytes end (a gap or an overlap the
   * caller did not trim), the held bytes are first handed out as a partial line: a line is never
   * glued across a discontinuity.
   */
  push(bytes: Uint8Array, offset: number): AssembledLine[];
  /**
   * Hands out whatever is held as one partial line (terminator `none`, or `cr` for a held line
   * ending in a lone CR whose next byte has not arrived). Call it at the end of the stream or after
   * a quiet spell; pushing may continue afterwards.
   */
  flush(): AssembledLine[];
  /** Whether bytes are held, i.e. whether a quiet-spell timer is worth arming. */
  pending(): boolean;
}

/** Options of {@link createLineAssembler}. */
export interface LineAssemblerOptions {
  /**
   * The most bytes of line content (terminator excluded) held or handed out as one line; longer
   * lines come out in pieces marked partial, cut at a UTF-8 character boundary. At least 4, so a
   * piece always fits a whole character. Default 1 MiB.
   */
  readonly maxLineBytes?: number;
}

/** The default cap on one line: large enough for any real log line, small enough to bound memory. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Creates the line assembler of one stream. */
export function createLineAssembler(options: LineAssemblerOptions = {}): LineAssembler {
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(cap) || cap < 4) throw new RangeError(`maxLineBytes must be an integer >= 4, got ${cap}`);

  // Held bytes are copies, so a short tail does not keep a whole chunk of the caller's alive.
  let held: Buffer[] = [];
  let heldLength = 0;
  let heldOffset = 0;
  // The held bytes end in a CR whose meaning (CR or CRLF) depends on the next byte.
  let heldCR = false;
  let nextOffset: number | undefined;

  function takeHeld(): Buffer {
    const whole = held.length === 1 ? held[0]! : Buffer.concat(held, heldLength);
    held = [];
    heldLength = 0;
    heldCR = false;
    return whole;
  }

  /** Emits content + terminator as one line, or as capped pieces if the content is too long. */
  function emit(out: AssembledLine[], line: Buffer, terminatorLength: number, terminator: LineTerminator, partial: boolean, offset: number): void {
    let rest = line;
    let at = offset;
    while (rest.length - terminatorLength > cap) {
      const cut = characterBoundary(rest, cap);
      out.push({ bytes: rest.subarray(0, cut), offset: at, terminator: 'none', partial: true });
      rest = rest.subarray(cut);
      at += cut;
    }
    out.push({ bytes: rest, offset: at, terminator, partial });
  }

  function emitHeld(out: AssembledLine[], extra: Buffer | undefined, terminatorLength: number, terminator: LineTerminator, partial: boolean): void {
    const offset = heldOffset;
    let line = takeHeld();
    if (extra !== undefined) line = line.length === 0 ? extra : Buffer.concat([line, extra]);
    emit(out, line, terminatorLength, terminator, partial, offset);
  }

  function hold(bytes: Buffer, offset: number): void {
    if (bytes.length === 0) return;
    if (heldLength === 0) heldOffset = offset;
    held.push(Buffer.from(bytes));
    heldLength += bytes.length;
  }

  /** Hands out capped pieces while the held content (a held CR excluded) is over the cap. */
  function trimHeld(out: AssembledLine[]): void {
    const contentLength = heldLength - (heldCR ? 1 : 0);
    if (contentLength <= cap) return;
    const wasCR = heldCR;
    const offset = heldOffset;
    let rest = takeHeld();
    let at = offset;
    while (rest.length - (wasCR ? 1 : 0) > cap) {
      const cut = characterBoundary(rest, cap);
      out.push({ bytes: rest.subarray(0, cut), offset: at, terminator: 'none', partial: true });
      rest = rest.subarray(cut);
      at += cut;
    }
    hold(rest, at);
    heldCR = wasCR;
  }

  function flush(): AssembledLine[] {
    if (heldLength === 0) return [];
    const out: AssembledLine[] = [];
    const cr = heldCR;
    emitHeld(out, undefined, cr ? 1 : 0, cr ? 'cr' : 'none', true);
    return out;
  }

  return {
    flush,

    pending() {
      return heldLength > 0;
    },

    push(chunk, offset) {
      const out: AssembledLine[] = [];
      if (heldLength > 0 && offset !== nextOffset) out.push(...flush());
      nextOffset = offset + chunk.length;
      if (chunk.length === 0) return out;
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);

      let start = 0; // first byte of the current line within `bytes`
      if (heldCR) {
        if (bytes[0] === LF) {
          emitHeld(out, bytes.subarray(0, 1), 2, 'crlf', false);
          start = 1;
        } else {
          emitHeld(out, undefined, 1, 'cr', false);
        }
      }

      let nextLF = bytes.indexOf(LF, start);
      let nextCR = bytes.indexOf(CR, start);
      while (nextLF !== -1 || nextCR !== -1) {
        const isCR = nextCR !== -1 && (nextLF === -1 || nextCR < nextLF);
        const at = isCR ? nextCR : nextLF;
        let end: number; // one past the terminator
        let terminator: LineTerminator;
        if (!isCR) {
          end = at + 1;
          terminator = 'lf';
        } else if (at + 1 === bytes.length) {
          // A CR as the last byte: the next chunk decides between CR and CRLF.
          break;
        } else if (bytes[at + 1] === LF) {
          end = at + 2;
          terminator = 'crlf';
        } else {
          end = at + 1;
          terminator = 'cr';
        }
        const terminatorLength = terminator === 'crlf' ? 2 : 1;
        const piece = bytes.subarray(start, end);
        if (heldLength > 0) emitHeld(out, piece, terminatorLength, terminator, false);
        else emit(out, piece, terminatorLength, terminator, false, offset + start);
        start = end;
        if (nextLF !== -1 && nextLF < start) nextLF = bytes.indexOf(LF, start);
        if (nextCR !== -1 && nextCR < start) nextCR = bytes.indexOf(CR, start);
      }

      if (start < bytes.length) {
        hold(bytes.subarray(start), offset + start);
        heldCR = bytes[bytes.length - 1] === CR;
        trimHeld(out);
      }
      return out;
    },
  };
}

/**
 * The largest cut ≤ `limit` that does not fall inside a UTF-8 character of `bytes`
 * (`bytes.length > limit`). Invalid sequences are not protected: there is no character to keep.
 */
function characterBoundary(bytes: Buffer, limit: number): number {
  // Walk back over at most three continuation bytes (10xxxxxx) to the lead byte.
  for (let back = 0; back <= 3; back++) {
    const at = limit - back;
    const byte = bytes[at]!;
    if (!isContinuation(byte)) {
      if (back === 0) return limit;
      // Cut before the lead byte only if its character really reaches across the limit.
      return at + sequenceLength(byte) > limit ? at : limit;
    }
  }
  return limit;
}
