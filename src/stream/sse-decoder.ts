/**
 * A Server-Sent-Events decoder on bytes: fed the body as Buffers in whatever pieces the socket
 * delivers, it calls back once per complete event with the event's name and data bytes. Pure: no
 * I/O, no timers, no text decoding of the data (log streams are where that cost shows: decoding
 * every read to a string was a tenth of the follower's CPU, see LIBRARY-FACTS.md).
 *
 * It reads what the WHATWG spec (html.spec.whatwg.org, "Interpreting an event stream") and the
 * official SDK read: LF, CRLF and CR line ends; a UTF-8 BOM at the very start; comment lines
 * (`:`); `data:` lines joined with LF; `event:` names (empty = "message"); `id:`, `retry:` and
 * unknown fields ignored; an event without any `data:` line dispatches nothing. "Once the end of
 * the file is reached, any pending data must be discarded": an unfinished event is never emitted.
 *
 * Memory is bounded by design: a line or an event's data above `maxEventBytes` throws
 * SseLimitError instead of growing without end.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf] as const;

/** The default cap on one SSE line and on one event's data. The service's events are ~32 KiB. */
export const MAX_SSE_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Called once per event. `data` may be a view of the pushed Buffer; the decoder never reads it after
 * the call, so a handler may overwrite or keep it when the pushed Buffers are not reused.
 */
export type SseEventHandler = (name: string, data: Buffer) => void;

export interface SseDecoderOptions {
  /** Cap on one line and on one event's data, in bytes (default MAX_SSE_EVENT_BYTES). */
  readonly maxEventBytes?: number;
  /** Called for each comment line (keep-alives). */
  readonly onComment?: () => void;
}

/** A line or an event was larger than the decoder's cap. */
export class SseLimitError extends Error {
  override readonly name = 'SseLimitError';
}

/** Joins data lines with LF, the way the spec builds the data buffer. */
function joinLines(lines: readonly Buffer[], totalBytes: number): Buffer {
  if (lines.length === 1) return lines[0] as Buffer;
  const joined = Buffer.allocUnsafe(totalBytes);
  let at = 0;
  for (const [index, line] of lines.entries()) {
    if (index > 0) joined[at++] = LF;
    at += line.copy(joined, at);
  }
  return joined;
}

/** Whether `bytes[start, end)` begins with the ASCII field name `name` followed by ':'. */
function hasField(bytes: Buffer, start: number, end: number, name: string): boolean {
  if (end - start <= name.length || bytes[start + name.length] !== COLON) return false;
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * The decoder. `push` each piece of the body in order, `end` when it ends. `push` keeps no
 * reference to the Buffer it was given once it returns, so a caller may reuse its read buffer.
 */
export class SseDecoder {
  private readonly onEvent: SseEventHandler;
  private readonly onComment: (() => void) | undefined;
  private readonly maxBytes: number;
  /** Bytes of the BOM matched so far at the start of the stream; -1 once past the start. */
  private bomMatched = 0;
  /** The last piece ended with CR: an LF at the start of the next one belongs to that line end. */
  private skipLf = false;
  /** The unfinished line carried over from earlier pieces (copies). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The event being built: its name and data lines (joined with LF when dispatched). */
  private eventName: string | undefined;
  private dataLines: Buffer[] = [];
  private dataBytes = 0;

  constructor(onEvent: SseEventHandler, options: SseDecoderOptions = {}) {
    this.onEvent = onEvent;
    this.onComment = options.onComment;
    this.maxBytes = options.maxEventBytes ?? MAX_SSE_EVENT_BYTES;
  }

  /** Decodes one piece of the body; throws SseLimitError when a line or event is too large. */
  push(bytes: Buffer): void {
    const length = bytes.length;
    let pos = 0;
    if (this.bomMatched >= 0) {
      pos = this.matchBom(bytes);
      if (this.bomMatched >= 0) return; // the piece ended inside what may still be a BOM
    }
    if (this.skipLf && pos < length) {
      this.skipLf = false;
      if (bytes[pos] === LF) pos++;
    }
    // Line ends are found with indexOf (memchr), not a byte loop. Most streams have no CR at all:
    // one search per piece tells, and the loop then only looks for LF.
    let nextCr = bytes.indexOf(CR, pos);
    let nextLf = bytes.indexOf(LF, pos);
    while (pos < length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = bytes.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = bytes.indexOf(CR, pos);
      let end: number;
      let next: number;
      if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
        end = nextCr;
        if (nextCr + 1 < length) {
          next = bytes[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
        } else {
          // A CR ends the piece: the line is complete either way; an LF first in the next piece
          // is the second half of a CRLF, not an empty line.
          next = length;
          this.skipLf = true;
        }
      } else if (nextLf !== -1) {
        end = nextLf;
        next = nextLf + 1;
      } else {
        this.keepPartial(bytes.subarray(pos));
        break;
      }
      if (this.partialBytes > 0) {
        this.partial.push(bytes.subarray(pos, end));
        const line = Buffer.concat(this.partial, this.partialBytes + end - pos);
        this.partial = [];
        this.partialBytes = 0;
        this.line(line, 0, line.length);
      } else {
        this.line(bytes, pos, end);
      }
      pos = next;
    }
    this.ownData();
  }

  /**
   * The body ended. The unfinished line and event, if any, are discarded as the spec says;
   * returns whether there was one (the body stopped inside an event).
   */
  end(): boolean {
    const unfinished = this.partialBytes > 0 || this.dataLines.length > 0 || this.bomMatched > 0;
    this.partial = [];
    this.partialBytes = 0;
    this.resetEvent();
    this.bomMatched = -1;
    return unfinished;
  }

  /** Skips a BOM at the start of the stream; returns where the content starts in `bytes`. */
  private matchBom(bytes: Buffer): number {
    let pos = 0;
    while (pos < bytes.length && this.bomMatched >= 0 && this.bomMatched < BOM.length) {
      if (bytes[pos] !== BOM[this.bomMatched]) {
        // Not a BOM after all: the bytes matched so far are content.
        if (this.bomMatched > 0) this.keepPartial(Buffer.from(BOM.slice(0, this.bomMatched)));
        this.bomMatched = -1;
        return pos;
      }
      this.bomMatched++;
      pos++;
    }
    if (this.bomMatched === BOM.length) this.bomMatched = -1;
    return pos;
  }

  private keepPartial(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.partialBytes += bytes.length;
    if (this.partialBytes > this.maxBytes) {
      throw new SseLimitError(`an SSE line is longer than ${this.maxBytes} bytes`);
    }
    this.partial.push(Buffer.from(bytes)); // a copy: the caller may reuse its buffer
  }

  /** Data lines of an event still open when a piece ends may point into that piece: copy them. */
  private ownData(): void {
    if (this.dataLines.length === 0) return;
    this.dataLines = [Buffer.from(joinLines(this.dataLines, this.dataBytes))];
  }

  private resetEvent(): void {
    this.eventName = undefined;
    this.dataLines = [];
    this.dataBytes = 0;
  }

  private line(bytes: Buffer, start: number, end: number): void {
    if (start === end) return this.dispatch();
    const first = bytes[start];
    if (first === COLON) {
      this.onComment?.();
      return;
    }
    if (hasField(bytes, start, end, 'data')) {
      const from = bytes[start + 5] === SPACE ? start + 6 : start + 5;
      return this.addData(bytes.subarray(from, end));
    }
    const lineBytes = bytes.subarray(start, end);
    const colon = lineBytes.indexOf(COLON);
    const field = (colon === -1 ? lineBytes : lineBytes.subarray(0, colon)).toString('latin1');
    let value = colon === -1 ? Buffer.alloc(0) : lineBytes.subarray(colon + 1);
    if (value[0] === SPACE) value = value.subarray(1);
    if (field === 'data') this.addData(value);
    else if (field === 'event') this.eventName = value.length === 0 ? undefined : value.toString('utf8');
    // id, retry and unknown fields: the follower resumes by byte offset and owns its retry policy.
  }

  private addData(value: Buffer): void {
    this.dataBytes += (this.dataLines.length > 0 ? 1 : 0) + value.length;
    if (this.dataBytes > this.maxBytes) {
      throw new SseLimitError(`an SSE event is larger than ${this.maxBytes} bytes`);
    }
    this.dataLines.push(value);
  }

  private dispatch(): void {
    if (this.dataLines.length === 0) {
      this.eventName = undefined;
      return;
    }
    const data = joinLines(this.dataLines, this.dataBytes);
    const name = this.eventName ?? 'message';
    this.resetEvent();
    this.onEvent(name, data);
  }
}
