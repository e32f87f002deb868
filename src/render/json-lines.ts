/**
 * `--json`: one JSON object per assembled line, then one for the exit. A consumer rebuilds each
 * stream byte for byte by concatenating, per stream, `bytes_base64` decoded when present, else
 * `text` encoded as UTF-8 (see {@link jsonLineBytes}).
 */

import { isUtf8 } from 'node:buffer';
import type { StreamName } from '../stream/types.js';
import type { AssembledLine } from './line-assembler.js';
import type { LineContext } from './line-format.js';

/** The object written for one line. */
export interface JsonLineRecord {
  readonly stream: StreamName;
  /** The line decoded as UTF-8, terminator included (invalid bytes become U+FFFD). */
  readonly text: string;
  /** Byte offset of the line's first byte in its stream. */
  readonly offset: number;
  /** Arrival time, ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** The line was emitted without a definite end (quiet spell, end of stream, size cap). */
  readonly partial: boolean;
  /** Present only when the bytes are not valid UTF-8: the exact bytes, since `text` is lossy then. */
  readonly bytes_base64?: string;
}

/** The object written once the execution has completed. */
export interface JsonExitRecord {
  readonly event: 'exit';
  readonly exit_status: number;
}

/** One line as a JSON object and a newline. */
export function renderJsonLine(line: AssembledLine, context: LineContext): string {
  const record: JsonLineRecord = {
    stream: context.stream,
    text: line.bytes.toString('utf8'),
    offset: line.offset,
    time: context.time.toISOString(),
    partial: line.partial,
    ...(isUtf8(line.bytes) ? {} : { bytes_base64: line.bytes.toString('base64') }),
  };
  return `${stringify(record)}\n`;
}

/** The final object, `{"event":"exit","exit_status":N}`, and a newline. */
export function renderJsonExit(exitStatus: number): string {
  const record: JsonExitRecord = { event: 'exit', exit_status: exitStatus };
  return `${stringify(record)}\n`;
}

/** The exact bytes a line record stands for. */
export function jsonLineBytes(record: Pick<JsonLineRecord, 'text' | 'bytes_base64'>): Buffer {
  return record.bytes_base64 !== undefined ? Buffer.from(record.bytes_base64, 'base64') : Buffer.from(record.text, 'utf8');
}

/**
 * JSON.stringify escapes C0 but writes DEL and C1 controls (U+007F–U+009F) raw, and a terminal may
 * act on C1; U+2028/U+2029 break some line-based JavaScript readers. Escaping them keeps the JSON
 * identical in meaning and safe to print. They only occur inside strings, so a global replace is safe.
 */
function stringify(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
