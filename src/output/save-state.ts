/**
 * The bookkeeping of `--save DIR`, pure: the file names of an execution, where an arriving piece
 * goes in its file, where a rerun resumes, and the summary written next to the files.
 *
 * A file holds the stream's text as it arrived, so a gap the service cannot fill is padded with
 * NUL bytes (and counted in the summary) rather than closed up. While that text is the stream's
 * bytes one for one, a file's size is the offset a rerun resumes from (files of older versions
 * resume so too). Bytes the command wrote that were not UTF-8 arrive as U+FFFD, a text longer
 * than the bytes it stands for: from the first such piece on, the summary records after every
 * placement how many bytes of the file reach which stream offset (`resume`), always after the
 * bytes are on disk, so a rerun cuts the file there and resumes from that offset.
 */

/** The longest encoded execution id used in a file name (file names are at most 255 bytes). */
import type { StreamName } from '../stream/types.js';

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
 * The NUL bytes to write before a piece that starts at stream offset `offset`, when what the file
 * holds reaches `expected` at most: the length of a gap the service could not fill, so the file
 * keeps the stream's offsets. A piece never repeats bytes (the cursor trims resends); one that
 * starts before `expected` follows a text longer than the bytes it stands for (bytes that were not
 * UTF-8 arrive as U+FFFD) and is written whole, as the view shows it.
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
  /**
   * Per stream, where a rerun continues when the file's text is not the stream's bytes one for one
   * (see SavedPoint); null while it is, the file's size then being the offset.
   */
  readonly resume: Readonly<Record<StreamName, SavedPoint | null>>;
  /** When saving began (the first run, if a rerun continued it), ISO 8601. */
  readonly started_at: string;
  /** When the execution's streams were drained, ISO 8601; null while following. */
  readonly ended_at: string | null;
}

/** The summary as written: one JSON object, two-space indented, newline at the end. */
export function renderSummary(summary: SaveSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

function parseSummary(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The start time recorded by an earlier run, from its summary's text, if it is readable. */
export function earlierStart(text: string | undefined): string | undefined {
  const started = parseSummary(text)?.started_at;
  return typeof started === 'string' && !Number.isNaN(Date.parse(started)) ? started : undefined;
}

/** The file's first `bytes` bytes are the stream's text up to stream offset `offset`. */
export interface SavedPoint {
  readonly bytes: number;
  readonly offset: number;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The resume points an earlier run recorded, from its summary's text: null for a stream whose file
 * size is its offset, which is also what a summary without them (an older version's, or none) says.
 */
export function earlierResume(text: string | undefined): Record<StreamName, SavedPoint | null> {
  const resume = parseSummary(text)?.resume;
  const point = (stream: StreamName): SavedPoint | null => {
    if (typeof resume !== 'object' || resume === null) return null;
    const value = (resume as Record<string, unknown>)[stream];
    if (typeof value !== 'object' || value === null) return null;
    const { bytes, offset } = value as Record<string, unknown>;
    return isCount(bytes) && isCount(offset) ? { bytes, offset } : null;
  };
  return { stdout: point('stdout'), stderr: point('stderr') };
}

/** What the saving of one stream knows. */
export interface SavedStream {
  /** The file's size. */
  readonly size: number;
  /** The last point known exactly. */
  readonly settled: SavedPoint;
  /** The file's text stopped being the stream's bytes one for one: `settled` is recorded after every placement. */
  readonly tracked: boolean;
}

/**
 * Where a rerun starts with a file of `size` bytes and the point its summary recorded: the file is
 * cut to `settled.bytes` (what came after was written but not yet placed when the earlier run
 * stopped: it is fetched again) and the stream resumes from `settled.offset`. Undefined when the
 * file is shorter than the point recorded: something else changed it.
 */
export function resumeStream(size: number, saved: SavedPoint | null): SavedStream | undefined {
  if (saved === null) return { size, settled: { bytes: size, offset: size }, tracked: false };
  if (saved.bytes > size) return undefined;
  return { size: saved.bytes, settled: saved, tracked: true };
}

/**
 * The furthest stream offset the file can reach: text after the settled point stands for at most
 * as many bytes as it has (a U+FFFD stands for 1 to 3), NUL padding for exactly as many.
 */
function furthest(state: SavedStream): number {
  return state.settled.offset + (state.size - state.settled.bytes);
}

/**
 * A piece of `length` bytes (`replaced`: its text holds U+FFFD) arrives at stream offset `offset`.
 * `padding` NUL bytes go before it (a piece starting past where the file can reach follows a gap);
 * `record` says the summary must be written before the piece is (the first piece that may not be
 * the stream's bytes one for one: the point before it is exact).
 */
export function pieceArrives(
  state: SavedStream,
  piece: { readonly offset: number; readonly length: number; readonly replaced: boolean },
): { readonly state: SavedStream; readonly padding: number; readonly record: boolean } {
  const reach = furthest(state);
  const padding = paddingBefore(reach, piece.offset);
  const record = !state.tracked && piece.replaced;
  // Until then the file's text is the stream's bytes one for one: where it reaches is exact.
  const settled = record ? { bytes: state.size + padding, offset: reach + padding } : state.settled;
  return {
    state: { size: state.size + padding + piece.length, settled, tracked: state.tracked || record },
    padding,
    record,
  };
}

/**
 * The follower placed what it received: the stream stands at `position`, and the last `unplaced`
 * bytes written stand for bytes from there on (held until the next piece tells how many). `record`
 * says the summary must be written now (tracked, and the point moved).
 */
export function piecesPlaced(state: SavedStream, position: number, unplaced: number): { readonly state: SavedStream; readonly record: boolean } {
  const settled = { bytes: state.size - unplaced, offset: position };
  const moved = settled.bytes !== state.settled.bytes || settled.offset !== state.settled.offset;
  return { state: { ...state, settled }, record: state.tracked && moved };
}
