/**
 * The bookkeeping of `--save DIR`, pure: the file names of an execution, where an arriving piece
 * goes in its file, and the summary written next to the files.
 *
 * The files' sizes are the resume offsets (a rerun with the same DIR continues from them), so a file
 * always holds exactly the stream's bytes up to its size: a gap the service cannot fill is padded
 * with NUL bytes (and counted in the summary) rather than closed up.
 */
import type { StreamName } from '../stream/types.js';

/** The longest encoded execution id used in a file name (file names are at most 255 bytes). */
export const MAX_SAVE_NAME_LENGTH = 200;

/**
 * The base of an execution's file names: the id with every character other than letters, digits,
 * `_`, `-` and `.` percent-encoded (its UTF-8 bytes), and a leading `.` too, so no id can name a
 * path separator, `..`, a hidden file or a control character; distinct ids keep distinct names.
 * Undefined when the result would be empty or too long.
 */
export function saveBaseName(executionId: string): string | undefined {
  let name = '';
  for (const byte of Buffer.from(executionId, 'utf8')) {
    const safe = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte === 0x2d || byte === 0x2e;
    name += safe && !(byte === 0x2e && name === '') ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return name === '' || name.length > MAX_SAVE_NAME_LENGTH ? undefined : name;
}

/**
 * The NUL bytes to write before a piece that starts at stream offset `offset`, when the previous
 * piece ended at `expected` (the file's size at first): the length of a gap the service could not
 * fill, so the file keeps the stream's offsets. A piece never repeats bytes (the cursor trims
 * resends); one that starts before `expected` follows a text longer than the bytes it stands for
 * (bytes that were not UTF-8 arrive as U+FFFD) and is written whole, as the view shows it.
 */
export function paddingBefore(expected: number, offset: number): number {
  return Math.max(0, offset - expected);
}

/** `DIR/<execution>.json`: what was saved. */
export interface SaveSummary {
  readonly devbox_id: string;
  readonly execution_id: string;
  /** `following` while a follow writes the files, `completed` once every stream was drained. */
  readonly status: 'following' | 'completed';
  /** The remote command's exit status, once completed. */
  readonly exit_status: number | null;
  readonly stdout_bytes: number;
  readonly stderr_bytes: number;
  /** Bytes the service could not deliver, written as NUL bytes to keep the offsets. */
  readonly missing_bytes: number;
  /** When saving began (the first run, if a rerun continued it), ISO 8601. */
  readonly started_at: string;
  /** When the execution's streams were drained, ISO 8601; null while following. */
  readonly ended_at: string | null;
}

/** The byte counts of the two files, keyed by stream. */
export type SavedSizes = Readonly<Record<StreamName, number>>;

/** The summary as written: one JSON object, two-space indented, newline at the end. */
export function renderSummary(summary: SaveSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** The start time recorded by an earlier run, from its summary's text, if it is readable. */
export function earlierStart(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { started_at?: unknown };
    return typeof parsed.started_at === 'string' && !Number.isNaN(Date.parse(parsed.started_at)) ? parsed.started_at : undefined;
  } catch {
    return undefined;
  }
}
