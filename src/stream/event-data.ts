/**
 * The data of one stream event, from bytes to a chunk: `{"output": string, "offset": int}` with
 * `output` as the UTF-8 bytes it stands for. And the data of an `error` event: `{code, message}`.
 *
 * The fast path (measured in LIBRARY-FACTS.md, "The streaming hot path"): V8's JSON.parse on a
 * one-byte string is ~4x faster than on a two-byte one, so the data is decoded as latin1 (one
 * char per byte), parsed, and `output` written back as latin1, which gives back the exact UTF-8
 * bytes of the text. That holds when (1) the data is valid UTF-8 (else a UTF-8 decoder would have
 * put U+FFFD where the raw bytes would pass through here) and (2) no `\u` escape stands for a code
 * point >= 0x80 (it would come out as one latin1 byte, not its UTF-8 sequence). Both are checked
 * for every event; when either fails the data goes the slow, always-right way.
 */
import { isUtf8 } from 'node:buffer';
import type { Chunk } from './cursor.js';
import { readChunkInPlace } from './event-bytes.js';

const BACKSLASH_U = Buffer.from('\\u', 'latin1');

/** A hex digit's value, or -1. */
function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Whether latin1 decoding gives the exact text of `data`. Conservative: a `\u` preceded by an
 * escaped backslash (`\\u00e9`, the six characters) also sends the event the slow way, which is
 * right, only slower.
 */
export function latin1PathHolds(data: Buffer): boolean {
  let at = data.indexOf(BACKSLASH_U);
  while (at !== -1) {
    // \u00XX with XX < 0x80 is an ASCII character: latin1 and UTF-8 agree on it.
    const high = hexValue(data[at + 2]) | hexValue(data[at + 3]) | (hexValue(data[at + 4]) & 0x8);
    if (high !== 0) return false;
    at = data.indexOf(BACKSLASH_U, at + 2);
  }
  return isUtf8(data);
}

function describe(data: Buffer): string {
  return JSON.stringify(data.subarray(0, 60).toString('utf8'));
}

function parse(data: Buffer, encoding: 'latin1' | 'utf8'): unknown {
  try {
    return JSON.parse(data.toString(encoding));
  } catch {
    throw new Error(`an event is not JSON: ${describe(data)}`);
  }
}

/**
 * Decodes one event's data into a chunk; throws an Error with a one-line message when it is not one.
 * The data's bytes may be overwritten: the chunk's bytes are then a view of them (event-bytes.ts),
 * so the caller must own `data` and not reuse it while the chunk lives.
 */
export function decodeChunk(data: Buffer): Chunk {
  const chunk = readChunkInPlace(data);
  if (chunk !== undefined) return chunk;
  // Another layout, or data the byte reader does not read exactly: the string path.
  const encoding = latin1PathHolds(data) ? 'latin1' : 'utf8';
  const parsed = parse(data, encoding);
  const record = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  if (typeof record.output !== 'string') throw new Error('an event has no "output" string');
  const offset = record.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new Error(`an event has an invalid "offset": ${JSON.stringify(offset) ?? 'none'}`);
  }
  return { bytes: Buffer.from(record.output, encoding), offset };
}

/** What an `error` event says: the HTTP status it stands for and the service's message. */
export interface StreamErrorEvent {
  readonly status: number;
  readonly message: string;
}

/**
 * Decodes the data of an `error` event, `{"code": "408", "message": "…"}` (the code a string or a
 * number, as the official SDK accepts). Throws an Error with a one-line message when it is not.
 */
export function decodeErrorEvent(data: Buffer): StreamErrorEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new Error(`an error event is not JSON: ${describe(data)}`);
  }
  const record = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const code = record.code;
  const status = typeof code === 'number' ? code : typeof code === 'string' && /^\d{3}$/.test(code.trim()) ? Number(code) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`an error event has no HTTP status code: ${describe(data)}`);
  }
  const message = typeof record.message === 'string' ? record.message : '';
  return { status, message };
}
