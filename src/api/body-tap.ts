/**
 * An event stream's body read straight off the socket instead of through node:http's parser and
 * response stream. For every socket read, node:http runs its parser in C++, calls back into
 * JavaScript with the body piece, copies it into a Buffer of its own and pushes it through a
 * Readable: ~15% of a follow's main-thread time (perf, 1 GiB follow; BENCHMARKS.md). Here node:http
 * still sends the request and parses the response head (status, headers, proxies, TLS: all
 * unchanged); the reads after the head go to {@link ChunkedBody} and arrive as one fresh Buffer
 * per read.
 *
 * How: sockets of our requests read into the shared buffer through read-buffer.ts's callback,
 * which hands each read to the socket's tap while one is armed. The tap gives node:http the bytes
 * up to the end of a response head (CRLF CRLF) as a piece of their own, so that node:http parses
 * the head and calls the response callback synchronously, within that piece, and nothing of the
 * body. The callback then claims the body ({@link claimBody}) or lets node:http read it as usual
 * (a status other than 200, a compressed or not-chunked body, a head the tap did not split: LF
 * line ends, a socket a proxy agent opened, a Node whose http parses differently).
 */
import type { Socket } from 'node:net';
import { ChunkedBody } from './chunked-body.js';

/** Where a claimed body goes. */
export interface BodyReader {
  /** The body's bytes from one socket read: a Buffer of their own. */
  data(piece: Buffer): void;
  /** The last chunk and the trailers were read. */
  end(): void;
  /** The body is not valid chunked coding. */
  fail(error: Error): void;
}

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = [CR, LF, CR, LF] as const;

/** The armed taps, by socket. */
const taps = new WeakMap<Socket, BodyTap>();
/** The tap whose head piece node:http is parsing right now (the response callback runs within it). */
let splitting: BodyTap | undefined;

export class BodyTap {
  readonly #socket: Socket;
  /** How much of CRLF CRLF the bytes read so far end with. */
  #matched = 0;
  #framing: ChunkedBody | undefined;
  #reader: BodyReader | undefined;
  /** What arrived before a reader was attached. */
  #pending: Buffer[] = [];
  #failed: Error | undefined;
  /** The data ranges of the read being handled, as [from, to, from, to, ...]. */
  readonly #ranges: number[] = [];
  readonly #addRange = (from: number, to: number): void => {
    this.#ranges.push(from, to);
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Handles one socket read of `bytes` bytes in `buffer` (the shared read buffer). */
  read(buffer: Buffer, bytes: number): void {
    let at = 0;
    while (this.#framing === undefined) {
      if (at >= bytes) return;
      const headEnd = this.#findHeadEnd(buffer, at, bytes);
      const until = headEnd < 0 ? bytes : headEnd;
      splitting = headEnd < 0 ? undefined : this;
      try {
        this.#socket.emit('data', buffer.subarray(at, until));
      } finally {
        splitting = undefined;
      }
      at = until;
      if (this.#framing === undefined && taps.get(this.#socket) !== this) {
        // Released: node:http reads the rest as usual.
        if (at < bytes) this.#socket.emit('data', buffer.subarray(at, bytes));
        return;
      }
    }
    if (at < bytes && !this.#framing.done && this.#failed === undefined) this.#body(buffer, at, bytes);
  }

  /** Attaches the reader; what arrived before is handed to it first. */
  attach(reader: BodyReader): void {
    this.#reader = reader;
    const pending = this.#pending;
    this.#pending = [];
    for (const piece of pending) reader.data(piece);
    if (this.#failed !== undefined) reader.fail(this.#failed);
    else if (this.#framing?.done === true) reader.end();
  }

  /** Stops reading the socket (back-pressure). */
  pause(): void {
    this.#socket.pause();
  }

  /** Reads the socket again. */
  resume(): void {
    this.#socket.resume();
  }

  /** Called by claimBody: the body from now on is ours. */
  take(): void {
    this.#framing = new ChunkedBody();
  }

  /** The index just past the next CRLF CRLF in `buffer[from, to)`, or -1. */
  #findHeadEnd(buffer: Buffer, from: number, to: number): number {
    let matched = this.#matched;
    for (let i = from; i < to; i++) {
      const byte = buffer[i];
      if (byte === HEAD_END[matched]) matched++;
      else matched = byte === CR ? 1 : 0;
      if (matched === 4) {
        this.#matched = 0;
        return i + 1;
      }
    }
    this.#matched = matched;
    return -1;
  }

  #body(buffer: Buffer, from: number, to: number): void {
    const framing = this.#framing as ChunkedBody;
    const ranges = this.#ranges;
    ranges.length = 0;
    let failure: Error | undefined;
    try {
      framing.read(buffer, from, to, this.#addRange);
    } catch (error) {
      failure = error as Error;
    }
    let total = 0;
    for (let i = 0; i < ranges.length; i += 2) total += (ranges[i + 1] as number) - (ranges[i] as number);
    if (total > 0) {
      const piece = Buffer.allocUnsafe(total);
      let at = 0;
      for (let i = 0; i < ranges.length; i += 2) at += buffer.copy(piece, at, ranges[i], ranges[i + 1]);
      this.#deliver(piece);
    }
    if (failure !== undefined) {
      this.#failed = failure;
      this.#reader?.fail(failure);
    } else if (framing.done) {
      this.#reader?.end();
    }
  }

  #deliver(piece: Buffer): void {
    if (this.#reader === undefined) this.#pending.push(piece);
    else this.#reader.data(piece);
  }
}

/** Arms a tap on the socket of a request whose body may be claimed; any earlier one goes. */
export function armTap(socket: Socket): void {
  taps.set(socket, new BodyTap(socket));
}

/** The socket's request will not claim its body: node:http reads it as usual. */
export function disarmTap(socket: Socket): void {
  taps.delete(socket);
}

/** The socket's armed tap, for read-buffer.ts's read callback. */
export function tapOf(socket: Socket): BodyTap | undefined {
  return taps.get(socket);
}

/**
 * Called from the response callback: claims the body when `eligible` and the head being parsed
 * was split by the socket's tap (so node:http has read nothing of the body); else disarms the tap
 * and returns undefined, and node:http reads the body.
 */
export function claimBody(socket: Socket | null, eligible: boolean): BodyTap | undefined {
  if (socket === null) return undefined;
  const tap = taps.get(socket);
  if (tap !== undefined && eligible && splitting === tap) {
    tap.take();
    return tap;
  }
  taps.delete(socket);
  return undefined;
}
