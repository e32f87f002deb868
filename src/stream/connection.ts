/**
 * One SSE connection to one output stream, from one byte offset, until it ends, is cut, fails or
 * is aborted. Parsing is eventsource's; the transport and the retry policy are ours: eventsource
 * gives up on 408/429/5xx and cannot be told how long to wait, so each attempt is a fresh
 * EventSource whose own reconnect is switched off by closing it on its first error.
 */
import { EventSource, type FetchLikeResponse } from 'eventsource';
import type { IncomingMessage } from 'node:http';
import { header, httpRequest, readText } from '../api/http.js';
import { describeNetworkError } from '../api/client.js';
import { parseRetryAfter } from './backoff.js';
import { redact } from '../errors.js';
import type { Chunk } from './cursor.js';

export type ConnectionOutcome =
  /** The server ended the response cleanly. */
  | { readonly kind: 'ended' }
  /** The response was cut before its end (mid-event or between events). */
  | { readonly kind: 'cut'; readonly message: string }
  /** No response: DNS, refused, reset before the head. */
  | { readonly kind: 'network'; readonly message: string }
  /** A status other than 200. */
  | { readonly kind: 'http'; readonly status: number; readonly body: string; readonly retryAfterMs: number | undefined }
  /** The server sent something that is not this API's stream. */
  | { readonly kind: 'protocol'; readonly message: string }
  /** The caller aborted (interrupt, idle time-out, time-out). */
  | { readonly kind: 'aborted' };

export interface ConnectionOptions {
  readonly url: URL;
  readonly apiKey: string;
  readonly signal: AbortSignal;
  /** Called for each event, in order. */
  readonly onChunk: (chunk: Chunk) => void;
  /** Called whenever bytes arrive (events, comments, keep-alives): the connection is alive. */
  readonly onActivity: () => void;
  /** Called for a read that holds only SSE comments (keep-alives): the peer is alive but sends no data. */
  readonly onKeepAlive?: () => void;
  /** Back-pressure: resolves when the outputs can take more; the body is not read meanwhile. */
  readonly ready: () => Promise<void> | undefined;
}

/** The largest piece of the body handed to eventsource at once (see `piece` in openConnection). */
export const READ_PIECE_BYTES = 16 * 1024;

/** Validates one event's data: `{"output": string, "offset": non-negative integer}`. */
export function parseEventData(data: string): Chunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new Error(`an event is not JSON: ${JSON.stringify(data.slice(0, 60))}`);
  }
  const record = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  if (typeof record.output !== 'string') throw new Error('an event has no "output" string');
  const offset = record.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new Error(`an event has an invalid "offset": ${JSON.stringify(offset)}`);
  }
  return { bytes: Buffer.from(record.output, 'utf8'), offset };
}

/**
 * Whether a read holds nothing but SSE comment lines (`: keep-alive\n\n`). Servers write their
 * keep-alives on their own, so a read that starts with ':' and is all comments is one.
 */
export function isCommentOnly(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes[0] !== 0x3a) return false;
  return /^(?::[^\n]*\n+)+$/.test(bytes.toString('latin1'));
}

/** Runs one connection to its outcome. Never rejects. */
export function openConnection(options: ConnectionOptions): Promise<ConnectionOutcome> {
  const requestController = new AbortController();
  let outcome: ConnectionOutcome | undefined;
  let source: EventSource | undefined;
  let responseBody: IncomingMessage | undefined;

  return new Promise<ConnectionOutcome>((resolve) => {
    let settled = false;
    const settle = (result: ConnectionOutcome) => {
      outcome ??= result;
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      source?.close();
      // eventsource arms its reconnect timer after the error handler returns: close once more.
      queueMicrotask(() => source?.close());
      requestController.abort();
      responseBody?.destroy(); // the socket goes with it: no reader is left behind
      resolve(outcome);
    };
    const onAbort = () => settle({ kind: 'aborted' });
    if (options.signal.aborted) return settle({ kind: 'aborted' });
    options.signal.addEventListener('abort', onAbort, { once: true });

    const fetchOverHttp = async (url: string | URL): Promise<FetchLikeResponse> => {
      let response;
      try {
        response = await httpRequest(new URL(url), {
          headers: { authorization: `Bearer ${options.apiKey}`, accept: 'text/event-stream', 'cache-control': 'no-store' },
          signal: requestController.signal,
        });
      } catch (error) {
        outcome ??= options.signal.aborted ? { kind: 'aborted' } : { kind: 'network', message: describeNetworkError(error) };
        throw error;
      }
      responseBody = response.body;
      options.onActivity();
      const type = header(response.headers, 'content-type') ?? '';
      if (response.status !== 200) {
        const body = await readText(response.body).catch(() => '');
        outcome ??= {
          kind: 'http',
          status: response.status,
          body: redact(body, [options.apiKey]),
          retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), Date.now()),
        };
      } else if (!/^text\/event-stream\b/i.test(type)) {
        response.body.resume();
        outcome ??= { kind: 'protocol', message: `the stream answered with ${type.split(';')[0] || 'no content type'}, not text/event-stream` };
      }
      return {
        status: response.status,
        url: String(url),
        redirected: false,
        headers: { get: (name: string) => header(response.headers, name) ?? null },
        body: outcome === undefined ? { getReader: () => readerOf(response.body) } : null,
      };
    };

    const readerOf = (body: IncomingMessage) => {
      const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      let rest: Buffer | undefined; // what is left of the last socket read
      // eventsource decodes each read to a string before parsing. A 64 KiB socket read of non-ASCII
      // text decodes to a 128 KiB two-byte string, and joined with the rest of an unfinished line it
      // goes past V8's largest regular heap object: every such string is then a mapping of its own,
      // and decoding plus parsing ran at a fifth of the speed (and took more memory). Pieces of
      // READ_PIECE_BYTES keep the strings small; subarrays, so nothing is copied.
      const piece = (): Buffer => {
        const buffer = rest as Buffer;
        if (buffer.length <= READ_PIECE_BYTES) {
          rest = undefined;
          return buffer;
        }
        rest = buffer.subarray(READ_PIECE_BYTES);
        return buffer.subarray(0, READ_PIECE_BYTES);
      };
      return {
        read: async (): Promise<{ done: false; value: Uint8Array } | { done: true; value?: undefined }> => {
          if (rest !== undefined) return { done: false, value: piece() };
          const wait = options.ready();
          if (wait) await wait;
          let next: IteratorResult<Buffer>;
          try {
            next = await iterator.next();
          } catch (error) {
            outcome ??= options.signal.aborted ? { kind: 'aborted' } : { kind: 'cut', message: describeNetworkError(error) };
            throw error;
          }
          if (next.done) {
            outcome ??= { kind: 'ended' };
            return { done: true };
          }
          options.onActivity();
          if (isCommentOnly(next.value)) options.onKeepAlive?.();
          rest = next.value;
          return { done: false, value: piece() };
        },
        cancel: async () => {
          body.destroy();
        },
      };
    };

    let lastOffset = -1;
    source = new EventSource(options.url, { fetch: fetchOverHttp });
    source.onmessage = (event) => {
      if (settled) return;
      let chunk: Chunk;
      try {
        chunk = parseEventData(event.data);
      } catch (error) {
        settle({ kind: 'protocol', message: (error as Error).message });
        return;
      }
      // Within one connection offsets only grow, whatever they mean; a resend starts a connection.
      if (chunk.offset < lastOffset) {
        settle({ kind: 'protocol', message: `event offsets went backwards (${chunk.offset} after ${lastOffset})` });
        return;
      }
      lastOffset = chunk.offset;
      options.onChunk(chunk);
    };
    source.onerror = (event) => {
      settle(outcome ?? { kind: 'network', message: event.message ?? 'the stream failed' });
    };
  });
}
