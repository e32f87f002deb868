/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1) read on bytes: fed the raw body in
 * whatever pieces the socket delivers, it reports the data ranges of each piece and where the body
 * ends. Pure: no I/O, no copies. Strict where node:http's parser (llhttp) is strict: CRLF after the
 * size line and after each chunk's data, hex sizes, extensions and trailers bounded in length.
 */

/** The body is not valid chunked coding. */
export class ChunkedBodyError extends Error {
  override readonly name = 'ChunkedBodyError';
}

/** The longest size line (extensions included) and trailer line read; longer is refused. */
const MAX_LINE_BYTES = 16 * 1024;
/** Sizes above this are refused (llhttp stops at 2^64; nothing real sends a chunk this big). */
const MAX_CHUNK_BYTES = 2 ** 48;

const CR = 0x0d;
const LF = 0x0a;

const enum State {
  /** Reading the hex digits of a chunk size. */
  Size,
  /** After the size: extensions or whitespace up to CR. */
  Extension,
  /** CR of the size line seen: LF expected. */
  SizeLf,
  /** Inside a chunk's data. */
  Data,
  /** After a chunk's data: CR expected. */
  DataCr,
  /** After a chunk's data and CR: LF expected. */
  DataLf,
  /** After the last chunk: a trailer line or the final CRLF. */
  TrailerStart,
  /** Inside a trailer line, up to CR. */
  Trailer,
  /** CR of a trailer line seen: LF expected. */
  TrailerLf,
  /** CR of the final empty line seen: LF expected. */
  FinalLf,
  /** The body has ended. */
  Done,
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Receives the data ranges `[from, to)` of the piece being read. */
export type DataRange = (from: number, to: number) => void;

export class ChunkedBody {
  private state = State.Size;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private lineBytes = 0;

  /** Whether the last chunk and the trailers have been read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Reads `bytes[start, end)`: calls `data` for each range of chunk data in it, in order. Returns
   * the index just past the body's last byte when the body ended in this piece (what follows is
   * not the body's), else `end`. Throws ChunkedBodyError when the bytes are not chunked coding.
   */
  read(bytes: Uint8Array, start: number, end: number, data: DataRange): number {
    let at = start;
    while (at < end) {
      switch (this.state) {
        case State.Data: {
          const take = Math.min(this.remaining, end - at);
          data(at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.DataCr;
          continue;
        }
        case State.Size: {
          const byte = bytes[at++] as number;
          const value = hexValue(byte);
          if (value >= 0) {
            this.size = this.size * 16 + value;
            this.digits++;
            if (this.size > MAX_CHUNK_BYTES) throw new ChunkedBodyError('a chunk size is too large');
          } else if (this.digits === 0) {
            throw new ChunkedBodyError('a chunk size is not hexadecimal');
          } else if (byte === CR) {
            this.state = State.SizeLf;
          } else if (byte === 0x3b || byte === 0x20 || byte === 0x09) {
            this.state = State.Extension;
          } else {
            throw new ChunkedBodyError('a chunk size is not hexadecimal');
          }
          this.countLine();
          continue;
        }
        case State.Extension: {
          if (bytes[at++] === CR) this.state = State.SizeLf;
          this.countLine();
          continue;
        }
        case State.SizeLf: {
          if (bytes[at++] !== LF) throw new ChunkedBodyError('a chunk size line does not end with CRLF');
          this.lineBytes = 0;
          if (this.size === 0) {
            this.state = State.TrailerStart;
          } else {
            this.remaining = this.size;
            this.state = State.Data;
          }
          this.size = 0;
          this.digits = 0;
          continue;
        }
        case State.DataCr: {
          if (bytes[at++] !== CR) throw new ChunkedBodyError('a chunk is longer than its size');
          this.state = State.DataLf;
          continue;
        }
        case State.DataLf: {
          if (bytes[at++] !== LF) throw new ChunkedBodyError('a chunk is longer than its size');
          this.state = State.Size;
          continue;
        }
        case State.TrailerStart: {
          this.state = bytes[at++] === CR ? State.FinalLf : State.Trailer;
          this.countLine();
          continue;
        }
        case State.Trailer: {
          if (bytes[at++] === CR) this.state = State.TrailerLf;
          this.countLine();
          continue;
        }
        case State.TrailerLf: {
          if (bytes[at++] !== LF) throw new ChunkedBodyError('a trailer line does not end with CRLF');
          this.lineBytes = 0;
          this.state = State.TrailerStart;
          continue;
        }
        case State.FinalLf: {
          if (bytes[at++] !== LF) throw new ChunkedBodyError('the body does not end with CRLF');
          this.state = State.Done;
          return at;
        }
        case State.Done:
          return at;
      }
    }
    return end;
  }

  private countLine(): void {
    if (++this.lineBytes > MAX_LINE_BYTES) throw new ChunkedBodyError('a chunk size or trailer line is too long');
  }
}
