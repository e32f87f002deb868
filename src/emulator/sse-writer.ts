/**
 * Writes one `text/event-stream` response: events, comments, a clean end, or a cut in the middle
 * of an event. Every write respects back-pressure, so a slow reader costs no memory here.
 */
import type { ServerResponse } from 'node:http';

/** The bytes of one event: `data: {"output": …, "offset": N}` and a blank line. */
export function encodeEvent(output: string, offset: number): Buffer {
  // JSON escapes newlines, so the data always fits on one `data:` line.
  return Buffer.from(`data: ${JSON.stringify({ output, offset })}\n\n`, 'utf8');
}

/**
 * The bytes of an `error` event, the way the service reports an error inside a stream (the
 * official SDK reads `{code, message}` as an API error with that status).
 */
export function encodeErrorEvent(status: number, message: string): Buffer {
  return Buffer.from(`event: error\ndata: ${JSON.stringify({ code: String(status), message })}\n\n`, 'utf8');
}

/**
 * Bytes a response may hold before a write waits for 'drain'. Node's default high-water mark
 * (16 KiB) is less than one 32 KiB event, so every event waited for the socket to empty: a third
 * of the server's CPU went to those drain cycles and the socket ran dry between events. A few
 * events' worth keeps it fed and still bounds what a slow reader costs.
 */
export const SSE_BUFFER_BYTES = 256 * 1024;

/** One SSE response. */
export class SseWriter {
  private readonly response: ServerResponse;
  /** Body bytes written so far (events and comments, without HTTP chunk framing). */
  bytesWritten = 0;

  constructor(response: ServerResponse) {
    this.response = response;
  }

  /** Sends the 200 and the headers now, so a client knows the stream is open before any output. */
  open(): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.response.flushHeaders();
  }

  /** True once the client went away or the response was ended or destroyed. */
  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded || this.response.socket === null;
  }

  /** Writes bytes; resolves when they may be followed by more (after 'drain' once SSE_BUFFER_BYTES are waiting). */
  write(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.bytesWritten += bytes.length;
    this.response.write(bytes);
    if (this.response.writableLength < SSE_BUFFER_BYTES) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }

  /** An SSE comment line; clients ignore it, proxies see traffic. */
  comment(text: string): Promise<void> {
    return this.write(Buffer.from(`: ${text}\n\n`, 'utf8'));
  }

  /**
   * Writes `partial` (the first bytes of an event) and then destroys the socket, once those bytes
   * have left this process: the client sees an event that stops in the middle and a broken body.
   */
  cut(partial: Buffer): Promise<void> {
    const socket = this.response.socket;
    if (this.closed || socket === null) return Promise.resolve();
    this.bytesWritten += partial.length;
    return new Promise((resolve) => {
      this.response.once('close', () => resolve());
      this.response.write(partial, () => socket.destroy());
    });
  }

  /** Ends the response normally: the execution completed and every byte was sent (or an idle time-out). */
  end(): void {
    if (!this.closed) this.response.end();
  }
}
