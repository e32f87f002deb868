/**
 * Learns what chunk offsets mean from the stream's own start. A follow that resumes from a later
 * offset can meet chunks that fit both meanings (fixed chunk sizes after a resend: 'start' from
 * one byte early reads the same as 'end' one chunk early). Rather than hold the output and guess,
 * a short second connection from offset 0 asks: there a chunk's offset is 0 under 'start' and its
 * length under 'end', so the first chunk with text tells.
 */
import type { Transport } from '../api/transport.js';
import { openConnection } from './connection.js';
import { acceptChunk, createCursor, type CursorState, type OffsetMeaning } from './cursor.js';

/** The probe reads at most this much before it gives up. */
export const PROBE_MAX_BYTES = 1024 * 1024;

export interface ProbeOptions {
  readonly url: URL;
  readonly apiKey: string;
  /** The same agents and proxy as the stream it probes for. */
  readonly transport?: Transport;
  readonly signal: AbortSignal;
  /** Gives up after this long without an answer. */
  readonly timeoutMs: number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The connection to use; default: over HTTP. */
  readonly open?: typeof openConnection;
}

/** The meaning the stream's first chunks show, or undefined when the probe could not tell. */
export async function probeOffsetMeaning(options: ProbeOptions): Promise<OffsetMeaning | undefined> {
  const done = new AbortController();
  const signal = AbortSignal.any([options.signal, done.signal]);
  let cursor: CursorState = createCursor(0);
  let bytes = 0;
  const timer = options.sleep(options.timeoutMs, signal).then(
    () => done.abort(),
    () => undefined,
  );
  try {
    await (options.open ?? openConnection)({
      url: options.url,
      apiKey: options.apiKey,
      transport: options.transport,
      signal,
      onActivity: () => undefined,
      ready: () => undefined,
      onChunk: (chunk) => {
        if (cursor.meaning !== undefined) return;
        [cursor] = acceptChunk(cursor, chunk);
        bytes += chunk.bytes.length;
        if (cursor.meaning !== undefined || bytes > PROBE_MAX_BYTES) done.abort();
      },
    });
  } finally {
    done.abort();
    await timer;
  }
  return cursor.meaning;
}
