/**
 * A tiny SSE reader for the emulator's contract tests. It reads one connection's raw bytes with
 * node:http (not fetch) so a test sees exactly what arrived before a cut, and whether the body
 * ended properly (the chunked body's terminator arrived) or was cut.
 */
import { request } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { PATIENCE_MS } from './wait.js';

/** One parsed `data:` event of a stream route. */
export interface Chunk {
  readonly output: string;
  readonly offset: number;
}

export interface SseResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes (empty when `keepRaw` is false). */
  readonly raw: Buffer;
  /** Body bytes received. */
  readonly bodyBytes: number;
  /** Complete events, in order. */
  readonly chunks: Chunk[];
  /** Comment lines (without the colon). */
  readonly comments: string[];
  /** The data of `event: error` events, parsed ({code, message}). */
  readonly errors: { code: string; message: string }[];
  /** Text after the last complete event: a partial event when the connection was cut. */
  readonly trailing: string;
  /** 'clean': the server ended the body; 'cut': the connection broke before; 'stopped': the test stopped reading. */
  readonly ending: 'clean' | 'cut' | 'stopped';
}

export interface ReadSseOptions {
  readonly apiKey: string;
  readonly timeoutMs?: number;
  /** Keep the raw bytes (default true; off for large streams). */
  readonly keepRaw?: boolean;
  /** Keep parsed chunks (default true; off for large streams, use onChunk). */
  readonly keepChunks?: boolean;
  /** Called for every complete event; return true to stop reading (the client closes the connection). */
  readonly onChunk?: (chunk: Chunk) => boolean | void;
  /** Called for every comment line (e.g. keep-alives). */
  readonly onComment?: (text: string) => void;
}

/** Reads one SSE connection to its end (clean or cut), within a time-out. */
export function readSse(url: string, options: ReadSseOptions): Promise<SseResult> {
  const timeoutMs = options.timeoutMs ?? PATIENCE_MS;
  return new Promise((resolve, reject) => {
    const raw: Buffer[] = [];
    const chunks: Chunk[] = [];
    const comments: string[] = [];
    const errors: { code: string; message: string }[] = [];
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let bodyBytes = 0;
    let stopped = false;
    const req = request(url, { headers: { authorization: `Bearer ${options.apiKey}`, accept: 'text/event-stream' } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`SSE read of ${url} took more than ${timeoutMs} ms; got ${chunks.length} events, ${bodyBytes} bytes`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      if (!stopped) reject(error);
    });
    req.on('response', (res) => {
      const parse = (text: string) => {
        pending += text;
        let end: number;
        while (!stopped && (end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data: string[] = [];
          let name = 'message';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
              options.onComment?.(line.slice(1).trim());
            }
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length === 0) continue;
          if (name === 'error') {
            errors.push(JSON.parse(data.join('\n')) as { code: string; message: string });
            continue;
          }
          const chunk = JSON.parse(data.join('\n')) as Chunk;
          if (options.keepChunks !== false) chunks.push(chunk);
          if (options.onChunk?.(chunk) === true) {
            stopped = true;
            res.destroy();
          }
        }
      };
      res.on('data', (data: Buffer) => {
        bodyBytes += data.length;
        if (options.keepRaw !== false) raw.push(data);
        if (res.headers['content-type']?.startsWith('text/event-stream')) parse(decoder.write(data));
      });
      res.on('error', () => undefined); // a cut shows as 'aborted'/ECONNRESET; 'close' below decides
      res.on('close', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          raw: Buffer.concat(raw),
          bodyBytes,
          chunks,
          comments,
          errors,
          trailing: pending + decoder.end(),
          ending: stopped ? 'stopped' : res.complete ? 'clean' : 'cut',
        });
      });
    });
    req.end();
  });
}

/** Checks a run of chunks against the bytes they came from; returns the first problem, or undefined. */
export function checkOffsets(
  chunks: readonly Chunk[],
  mode: 'end' | 'start',
  from: number,
): { bytes: Buffer; starts: number[]; problem: string | undefined } {
  const parts: Buffer[] = [];
  const starts: number[] = [];
  let position = from;
  let problem: string | undefined;
  for (const [index, chunk] of chunks.entries()) {
    const bytes = Buffer.from(chunk.output, 'utf8');
    const start = mode === 'end' ? chunk.offset - bytes.length : chunk.offset;
    starts.push(start);
    if (start !== position && problem === undefined && index > 0) problem = `chunk ${index} starts at ${start}, expected ${position}`;
    position = start + bytes.length;
    parts.push(bytes);
  }
  return { bytes: Buffer.concat(parts), starts, problem };
}
