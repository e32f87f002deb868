/**
 * `--json`: a first record saying what is followed (`event: "start"`), one JSON object per
 * assembled line, then one last record for however the follow ended: `exit` (the execution
 * completed), `timeout`, `interrupt` or `failure` — so a consumer can tell "it ended" from "we gave
 * up", and where to resume. A consumer rebuilds each stream byte for byte by concatenating, per
 * stream, `bytes_base64` decoded when present, else `text` encoded as UTF-8 (see
 * {@link jsonLineBytes}).
 */

import { isUtf8 } from 'node:buffer';
import type { StreamName } from '../stream/types.js';
import type { AssembledLine } from './line-assembler.js';
import type { LineContext } from './line-format.js';

/** The object written for one line. */
export interface JsonLineRecord {
  /** The execution, when several are followed at once. */
  readonly execution?: string;
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

/** The first object: what is followed, from where, by which version of runloop-tail. */
export interface JsonStartRecord {
  readonly event: 'start';
  /** The execution, when several are followed at once (one start record each). */
  readonly execution?: string;
  /** runloop-tail's version. */
  readonly version: string;
  readonly devbox_id: string;
  readonly execution_id: string;
  /** The streams followed. */
  readonly streams: readonly StreamName[];
  /** The byte offset each stream starts from. */
  readonly offsets: Readonly<Record<StreamName, number>>;
}

/** The last object when the execution has completed. */
export interface JsonExitRecord {
  readonly event: 'exit';
  /** The execution, when several are followed at once. */
  readonly execution?: string;
  /** The remote command's exit status. */
  readonly exit_status: number;
  /** Present when bytes were lost (the service no longer had them): runloop-tail then exits 255. */
  readonly missing_bytes?: number;
}

/**
 * The last object when the follow stopped before the execution completed. `stopped` is for several
 * executions at once: `--fail-fast` stopped this one because another failed.
 */
export interface JsonStopRecord {
  readonly event: 'timeout' | 'interrupt' | 'failure' | 'stopped';
  /** The execution, when several are followed at once. */
  readonly execution?: string;
  /**
   * The exit status runloop-tail ends with (124, 130, 255, …); for the failure of one of several
   * executions, the status it counts as (255 or its own).
   */
  readonly status: number;
  /** What happened, as the one line on stderr says it. */
  readonly message: string;
  /** For a failure, its kind (`not-found`, `auth`, `retries-exhausted`…); for an interrupt, the signal. */
  readonly kind?: string;
  readonly signal?: string;
  /** Where each stream's delivered output ends: the offsets to resume from. */
  readonly offsets: Readonly<Record<StreamName, number>>;
}

/** The `start` record and a newline. */
export function renderJsonStart(record: Omit<JsonStartRecord, 'event'>): string {
  return `${jsonRecord({ event: 'start', ...record })}\n`;
}

/** A `timeout`, `interrupt`, `failure` or `stopped` record and a newline. */
export function renderJsonStop(record: JsonStopRecord): string {
  return `${jsonRecord(record)}\n`;
}

/**
 * JSON of one of our records, `event` then `execution` (when given) first as in the other records;
 * its strings may quote the service, so C1 controls are escaped too.
 */
function jsonRecord(record: { readonly event: string; readonly execution?: string | undefined }): string {
  const { event, execution, ...rest } = record;
  const json = JSON.stringify({ event, ...(execution === undefined ? {} : { execution }), ...rest });
  return NEEDS_ESCAPE.test(json) ? json.replace(NEEDS_ESCAPE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** One line as a JSON object and a newline. */
export function renderJsonLine(line: AssembledLine, context: LineContext): string {
  // Built by hand around JSON.stringify of the one free-form field: the same JSON as stringifying
  // a JsonLineRecord, at about twice the speed, which matters at one object per short line.
  let json = `{${context.execution === undefined ? '' : `"execution":${jsonString(context.execution)},`}"stream":"${context.stream}","text":${jsonString(line.bytes.toString('utf8'))},"offset":${line.offset},"time":"${isoTime(context.time)}","partial":${line.partial}`;
  if (!isUtf8(line.bytes)) json += `,"bytes_base64":"${line.bytes.toString('base64')}"`;
  return `${json}}\n`;
}

// The lines of one chunk share their arrival time; toISOString per line is a measurable cost.
let lastTime = NaN;
let lastIso = '';

function isoTime(time: Date): string {
  const ms = time.getTime();
  if (ms !== lastTime) {
    lastIso = time.toISOString();
    lastTime = ms;
  }
  return lastIso;
}

/**
 * The final object, `{"event":"exit","exit_status":N}` (with `execution` when several are followed,
 * `missing_bytes` when some were lost), and a newline.
 */
export function renderJsonExit(exitStatus: number, execution?: string, missingBytes = 0): string {
  const record: JsonExitRecord = {
    event: 'exit',
    ...(execution === undefined ? {} : { execution }),
    exit_status: exitStatus,
    ...(missingBytes > 0 ? { missing_bytes: missingBytes } : {}),
  };
  return `${JSON.stringify(record)}\n`;
}

/** The exact bytes a line record stands for. */
export function jsonLineBytes(record: Pick<JsonLineRecord, 'text' | 'bytes_base64'>): Buffer {
  return record.bytes_base64 !== undefined ? Buffer.from(record.bytes_base64, 'base64') : Buffer.from(record.text, 'utf8');
}

const NEEDS_ESCAPE = /[\u007f-\u009f\u2028\u2029]/;
const NEEDS_ESCAPE_ALL = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * A JSON string literal. JSON.stringify escapes C0 but writes DEL and C1 controls (U+007F–U+009F)
 * raw, and a terminal may act on C1; U+2028/U+2029 break some line-based JavaScript readers.
 * Escaping them too keeps the value identical and the output safe to print.
 */
function jsonString(text: string): string {
  const json = JSON.stringify(text);
  if (!NEEDS_ESCAPE.test(json)) return json;
  return json.replace(NEEDS_ESCAPE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
