/**
 * One SSE connection to one output stream, from one byte offset, until it ends, is cut, fails or
 * is aborted. The transport is node:http(s) (so TLS and proxy agents keep working), the parsing
 * is our byte-level SseDecoder, and the retry policy belongs to the caller.
 */
import type { Readable } from 'node:stream';
import { ACCEPT_IDENTITY, decodedBody } from '../api/content-encoding.js';
import type { IncomingHttpHeaders } from 'node:http';
import { header, httpRequest, readText, type HttpRequest } from '../api/http.js';
import { ownBytes } from '../api/read-buffer.js';
import type { BodyTap } from '../api/body-tap.js';
import { describeNetworkError } from '../api/client.js';
import { permanentNetworkError } from '../api/errors.js';
import type { Transport } from '../api/transport.js';
import { parseRetryAfter } from '../api/backoff.js';
import { redact, type TailError } from '../errors.js';
import type { Chunk } from './cursor.js';
import { decodeChunk, decodeErrorEvent } from './event-data.js';
import { SseDecoder, type SseDecoderOptions } from './sse-decoder.js';
import { collectAfterRead } from './memory.js';

export type ConnectionOutcome =
  /** The server ended the response cleanly. */
  | { readonly kind: 'ended' }
  /** The response was cut before its end (mid-event or between events). */
  | { readonly kind: 'cut'; readonly message: string }
  /** No response: DNS, refused, reset before the head. */
  | { readonly kind: 'network'; readonly message: string }
  /** A status other than 200. */
  | { readonly kind: 'http'; readonly status: number; readonly body: string; readonly retryAfterMs: number | undefined }
  /** An `error` event inside the stream, `{code, message}`: the service's status for this stream. */
  | { readonly kind: 'stream-error'; readonly status: number; readonly message: string }
  /** No response, and no retry can fix it: a certificate that does not verify, a proxy that refused. */
  | { readonly kind: 'failed'; readonly error: TailError }
  /** The server sent something that is not this API's stream. */
  | { readonly kind: 'protocol'; readonly message: string }
  /** The caller aborted (interrupt, idle time-out, time-out). */
  | { readonly kind: 'aborted' };

export interface ConnectionOptions {
  readonly url: URL;
  readonly apiKey: string;
  /** Agents and proxies; default: direct, no proxy. */
  readonly transport?: Transport;
  readonly signal: AbortSignal;
  /** Called for each chunk, in order. */
  readonly onChunk: (chunk: Chunk) => void;
  /** Called whenever bytes arrive (events, comments, keep-alives): the connection is alive. */
  readonly onActivity: () => void;
  /** Called for a read that holds only SSE comments (keep-alives): the peer is alive but sends no data. */
  readonly onKeepAlive?: () => void;
  /** Back-pressure: resolves when the outputs can take more; the body is not read meanwhile. */
  readonly ready: () => Promise<void> | undefined;
  /** The decoder's cap on one line or event (tests set a small one). */
  readonly maxEventBytes?: SseDecoderOptions['maxEventBytes'];
  /**
   * Sends the request; default: node:http(s) (tests answer from memory). The body's Buffers become
   * the chunks' bytes (an event's output is unescaped over its own bytes): give fresh ones, never
   * one Buffer twice.
   */
  readonly request?: (
    url: URL,
    options: HttpRequest,
  ) => Promise<{ readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Readable; readonly tap?: BodyTap }>;
  /** The clock a Retry-After date is read against; default: Date.now. */
  readonly now?: () => number;
}

/**
 * Whether a read holds nothing but SSE comment lines (`: keep-alive\n\n`). Servers write their
 * keep-alives on their own, so a read that starts with ':' and is all comments is one.
 */
export function isCommentOnly(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes[0] !== 0x3a) return false;
  return /^(?::[^\r\n]*(?:\r\n|\r|\n)+)+$/.test(bytes.toString('latin1'));
}

/** The request headers of a stream connection. */
export function streamRequestHeaders(apiKey: string): Record<string, string> {
  return {
    authorization: `Bearer ${apiKey}`,
    accept: 'text/event-stream',
    'cache-control': 'no-store',
    'accept-encoding': ACCEPT_IDENTITY,
  };
}

/** Runs one connection to its outcome. Never rejects. */
export function openConnection(options: ConnectionOptions): Promise<ConnectionOutcome> {
  const requestController = new AbortController();
  return new Promise<ConnectionOutcome>((resolve) => {
    let settled = false;
    let raw: Readable | undefined;
    let body: Readable | undefined;
    const settle = (outcome: ConnectionOutcome) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      requestController.abort();
      body?.destroy();
      raw?.destroy(); // the socket goes with it: no reader is left behind
      resolve(outcome);
    };
    const onAbort = () => settle({ kind: 'aborted' });
    if (options.signal.aborted) return settle({ kind: 'aborted' });
    options.signal.addEventListener('abort', onAbort, { once: true });
    const failed = (error: unknown, kind: 'network' | 'cut') => {
      settle(options.signal.aborted ? { kind: 'aborted' } : { kind, message: describeNetworkError(error) });
    };

    // Within one connection offsets only grow, whatever they mean; a resend starts a connection.
    let lastOffset = -1;
    const onEvent = (name: string, data: Buffer) => {
      if (settled) return;
      if (name === 'error') {
        // The SDK's reading: an `error` event is an API error with the status in its `code`.
        let error;
        try {
          error = decodeErrorEvent(data);
        } catch (problem) {
          return settle({ kind: 'protocol', message: (problem as Error).message });
        }
        return settle({ kind: 'stream-error', status: error.status, message: redact(error.message, [options.apiKey]) });
      }
      // Every other event, whatever its name, is a chunk (as the SDK yields it). Its bytes may be a
      // view of the body piece they came in, a Buffer of its own (see ownBytes).
      let chunk: Chunk;
      try {
        chunk = decodeChunk(data);
      } catch (problem) {
        return settle({ kind: 'protocol', message: (problem as Error).message });
      }
      if (chunk.offset < lastOffset) {
        return settle({ kind: 'protocol', message: `event offsets went backwards (${chunk.offset} after ${lastOffset})` });
      }
      lastOffset = chunk.offset;
      options.onChunk(chunk);
    };
    const decoder = new SseDecoder(onEvent, { maxEventBytes: options.maxEventBytes });

    /** One piece of the body, in order; `pause` and `resume` apply back-pressure to its source. */
    const onPiece = (piece: Buffer, pause: () => void, resume: () => void) => {
      if (settled) return;
      options.onActivity();
      if (isCommentOnly(piece)) options.onKeepAlive?.();
      try {
        decoder.push(piece);
      } catch (problem) {
        return settle({ kind: 'protocol', message: (problem as Error).message });
      }
      if (settled) return;
      collectAfterRead(piece.length);
      const wait = options.ready();
      if (wait === undefined) return;
      pause();
      void wait.then(() => {
        if (!settled) resume();
      });
    };
    const onEnd = () => {
      decoder.end(); // an unfinished event is dropped; the next connection resends it
      settle({ kind: 'ended' });
    };
    const watchBreaks = (stream: Readable) => {
      stream.on('error', (error) => failed(error, 'cut'));
      stream.on('close', () => settle({ kind: 'cut', message: 'the connection closed before the stream ended' }));
    };

    const read = (stream: Readable) => {
      body = stream;
      const pause = () => stream.pause();
      const resume = () => stream.resume();
      stream.on('data', (read: Buffer) => onPiece(ownBytes(read), pause, resume));
      stream.on('end', onEnd);
      watchBreaks(stream);
    };

    /** The body read off the socket (api/body-tap.ts); `response` only tells when the connection breaks. */
    const readTapped = (tap: BodyTap, response: Readable) => {
      body = response;
      watchBreaks(response);
      const pause = () => tap.pause();
      const resume = () => tap.resume();
      tap.attach({
        data: (piece) => onPiece(piece, pause, resume),
        end: onEnd,
        fail: (error) => failed(error, 'cut'),
      });
    };

    const request = options.request ?? httpRequest;
    request(options.url, { headers: streamRequestHeaders(options.apiKey), signal: requestController.signal, transport: options.transport, tapBody: true }).then(
      async (response) => {
        raw = response.body;
        if (settled) return void raw.destroy();
        options.onActivity();
        let stream: Readable;
        try {
          stream = decodedBody(response.body, header(response.headers, 'content-encoding'));
        } catch (problem) {
          return settle({ kind: 'protocol', message: (problem as Error).message });
        }
        if (response.status !== 200) {
          const text = await readText(stream).catch(() => '');
          return settle({
            kind: 'http',
            status: response.status,
            body: redact(text, [options.apiKey]),
            retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), (options.now ?? Date.now)()),
          });
        }
        const type = header(response.headers, 'content-type') ?? '';
        if (!/^text\/event-stream\b/i.test(type)) {
          return settle({ kind: 'protocol', message: `the stream answered with ${type.split(';')[0] || 'no content type'}, not text/event-stream` });
        }
        if (response.tap !== undefined) readTapped(response.tap, response.body);
        else read(stream);
      },
      (error: unknown) => {
        const permanent = permanentNetworkError(error, options.url);
        if (permanent !== undefined && !options.signal.aborted) settle({ kind: 'failed', error: permanent });
        else failed(error, 'network');
      },
    );
  });
}
