/**
 * Offset bookkeeping for one output stream: which bytes of a chunk are new, which were already
 * written (a server may resend), and where bytes are missing (a gap the server cannot fill).
 *
 * Pure: state in, state and verdict out. The cursor works in UTF-8 bytes, never JS string length,
 * because the API's offsets are byte offsets.
 *
 * The service's offsets are the truth for where a stream stands. A chunk's text may be shorter
 * in original bytes than its own length says: bytes the command wrote that were not UTF-8 arrive
 * as U+FFFD (replaced-text.ts). Such a text is written as received and the cursor moves to the
 * service's offset: under 'end' offsets at once; under 'start' offsets when the next chunk's
 * offset (or the same text sent again) shows where it ended. Where a resend makes the split of
 * such a chunk uncertain, nothing is written from a guess: the placement says `unplaceable` and
 * the caller asks again from the cursor.
 */

import { hasReplacement, originalRange, splitAfterOriginal, suffixSplits } from './replaced-text.js';

/**
 * What a chunk's `offset` means. The spec does not pin it down: the official SDKs resume from the
 * last chunk's offset, which is right if it is the offset after the chunk ('end'); a server may
 * also send the offset of the chunk's first byte ('start').
 */
export type OffsetMeaning = 'end' | 'start';

/** One event's payload, its output already encoded as UTF-8 bytes. */
export interface Chunk {
  readonly bytes: Buffer;
  readonly offset: number;
}

export interface CursorState {
  /** Bytes of the stream written so far: the offset to resume from (always the service's offset). */
  readonly position: number;
  /** The meaning of chunk offsets, once the chunks have shown it. */
  readonly meaning: OffsetMeaning | undefined;
  /** Chunks of this connection whose meaning is still ambiguous, oldest first. */
  readonly held: readonly Chunk[];
  /** The offset this connection asked for. */
  readonly requested: number;
  /**
   * Under 'start' offsets: text already written that stands for the bytes from `position` on,
   * whose original length is not known yet because it holds U+FFFD (the next chunk's offset, or
   * the same text sent again from `position`, tells). Empty when everything written is placed.
   */
  readonly unresolved: Buffer;
  /** Text bytes of `unresolved` this connection has sent again so far. */
  readonly matched: number;
  /** This connection wrote `unresolved` itself: the next chunk's offset is where it ends. */
  readonly wroteUnresolved: boolean;
  /** Under 'end' offsets: the end of this connection's last chunk (where the next one starts). */
  readonly lastEnd: number | undefined;
  /** The last bytes written (RECENT_BYTES or more), to recognise a resent start of a chunk holding U+FFFD. */
  readonly recent: readonly Buffer[];
  /** The last first chunk that could not be placed exactly (position, offset, length), to know it again. */
  readonly ambiguity?: string | undefined;
}

/** What the caller must do with a chunk. */
export interface Placement {
  /** New bytes to write, in order, each with its stream offset. */
  readonly writes: readonly { readonly bytes: Buffer; readonly offset: number }[];
  /** Ranges the server skipped: bytes that will never arrive. */
  readonly gaps: readonly { readonly offset: number; readonly length: number }[];
  /** Bytes received that had already been written (resent), dropped. */
  readonly duplicateBytes: number;
  /** A chunk's text was not the byte length its offsets say (bytes that were not UTF-8, sent as U+FFFD). */
  readonly replaced?: boolean;
  /**
   * A resent chunk holding U+FFFD could not be placed exactly (several splits fit): nothing of it
   * was written and the cursor did not move; the caller reconnects from `position`.
   */
  readonly unplaceable?: boolean;
}

/** Held ambiguous bytes beyond this are placed with the fallback meaning, to bound memory. */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;

/** The meaning assumed when the chunks never tell: the official SDKs' convention. */
export const FALLBACK_MEANING: OffsetMeaning = 'end';

/** How much recently written text is kept (as references) to recognise a resend. */
export const RECENT_BYTES = 64 * 1024;

const empty = Buffer.alloc(0);

export function createCursor(position = 0, meaning?: OffsetMeaning): CursorState {
  return { position, meaning, held: [], requested: position, unresolved: empty, matched: 0, wroteUnresolved: false, lastEnd: undefined, recent: [] };
}

/** A new connection asks for `state.position`; anything held from the old one will be resent. */
export function startConnection(state: CursorState): CursorState {
  return { ...state, held: [], requested: state.position, matched: 0, wroteUnresolved: false, lastEnd: undefined };
}

/** The original byte lengths a chunk's text can stand for (see replaced-text.ts). */
function lengths(chunk: Chunk): { min: number; max: number } {
  return hasReplacement(chunk.bytes) ? originalRange(chunk.bytes) : { min: chunk.bytes.length, max: chunk.bytes.length };
}

/**
 * Decides the meaning from the chunks seen on this connection, or returns undefined while the
 * chunks fit both. A connection's first chunk should start exactly at the requested offset, and
 * each next chunk exactly where the previous one ended; the meaning under which that holds wins.
 * A chunk holding U+FFFD stands for a range of lengths: it fits where any of them would.
 */
function detectMeaning(state: CursorState, chunks: readonly Chunk[]): OffsetMeaning | undefined {
  const candidates: OffsetMeaning[] = ['end', 'start'];
  const score = (meaning: OffsetMeaning): number | undefined => {
    let low = state.requested; // where this chunk should start, as a range
    let high = state.requested;
    let fits = 0;
    for (const chunk of chunks) {
      const { min, max } = lengths(chunk);
      const firstLow = meaning === 'end' ? chunk.offset - max : chunk.offset;
      const firstHigh = meaning === 'end' ? chunk.offset - min : chunk.offset;
      if (firstHigh < 0) return undefined; // impossible under this meaning
      if (firstLow <= high && firstHigh >= low) fits++;
      // A first chunk ending exactly at the requested offset is a resend of what was written last
      // under 'end' offsets, as fitting as the chunk starting there under 'start' offsets: a
      // follow resumed at the end of a completed stream gets just that from a server that resends.
      else if (meaning === 'end' && chunk === chunks[0] && chunk.offset === state.requested) fits++;
      low = meaning === 'end' ? chunk.offset : chunk.offset + min;
      high = meaning === 'end' ? chunk.offset : chunk.offset + max;
    }
    return fits;
  };
  const scores = candidates.map((meaning) => ({ meaning, fits: score(meaning) }));
  const possible = scores.filter((s) => s.fits !== undefined) as { meaning: OffsetMeaning; fits: number }[];
  if (possible.length === 1) return possible[0]?.meaning;
  const [a, b] = possible;
  if (!a || !b) return undefined;
  if (a.fits !== b.fits) return a.fits > b.fits ? a.meaning : b.meaning;
  return undefined;
}

/** Adds `bytes` to the last bytes written and drops the oldest beyond RECENT_BYTES (one piece at least stays). */
function keepRecent(recent: Buffer[], bytes: Buffer): void {
  recent.push(bytes);
  let kept = 0;
  for (const piece of recent) kept += piece.length;
  while (recent.length > 1 && kept - (recent[0]?.length ?? 0) >= RECENT_BYTES) kept -= recent.shift()?.length ?? 0;
}

/** The working copy of a cursor while it places chunks. */
class Placer {
  position: number;
  unresolved: Buffer;
  matched: number;
  wroteUnresolved: boolean;
  lastEnd: number | undefined;
  recent: Buffer[];
  readonly writes: { bytes: Buffer; offset: number }[] = [];
  readonly gaps: { offset: number; length: number }[] = [];
  duplicateBytes = 0;
  replaced = false;
  unplaceable = false;
  ambiguity: string | undefined;

  constructor(state: CursorState) {
    this.position = state.position;
    this.unresolved = state.unresolved;
    this.matched = state.matched;
    this.wroteUnresolved = state.wroteUnresolved;
    this.lastEnd = state.lastEnd;
    this.recent = [...state.recent];
    this.ambiguity = state.ambiguity;
  }

  write(bytes: Buffer, offset: number): void {
    if (bytes.length === 0) return;
    this.writes.push({ bytes, offset });
    keepRecent(this.recent, bytes);
  }

  gap(offset: number, length: number): void {
    if (length > 0) this.gaps.push({ offset, length });
  }

  /** Whether the last written bytes end with `bytes`. */
  recentEndsWith(bytes: Buffer): boolean {
    const recent = Buffer.concat(this.recent);
    return bytes.length <= recent.length && recent.subarray(recent.length - bytes.length).equals(bytes);
  }

  /** 'end' offsets: the chunk ends at its offset; where it starts is known exactly unless it holds U+FFFD. */
  placeEnd(chunk: Chunk): void {
    const { bytes, offset: end } = chunk;
    const previousEnd = this.lastEnd;
    this.lastEnd = end;
    if (bytes.length === 0) return;
    if (end <= this.position) {
      this.duplicateBytes += bytes.length;
      return;
    }
    if (!hasReplacement(bytes)) {
      const first = end - bytes.length;
      if (first > this.position) this.gap(this.position, first - this.position);
      const skip = Math.max(0, this.position - first);
      this.duplicateBytes += skip;
      this.write(skip === 0 ? bytes : bytes.subarray(skip), first + skip);
      this.position = end;
      return;
    }
    // Inside a connection a chunk starts where the previous one ended.
    if (previousEnd !== undefined && previousEnd > this.position) {
      this.gap(this.position, previousEnd - this.position);
      this.position = previousEnd;
    }
    const wanted = end - this.position; // original bytes of this chunk that are new
    if (wanted > bytes.length) {
      // It starts after the cursor even if every U+FFFD stood for one byte: a gap, at least this long.
      this.gap(this.position, wanted - bytes.length);
      this.write(bytes, end - bytes.length);
      this.replaced = true;
      this.position = end;
      return;
    }
    const splits = suffixSplits(bytes, wanted, (index, min, max) => {
      if (previousEnd !== undefined) {
        const before = this.position - previousEnd;
        return min <= before && before <= max;
      }
      // A connection's first chunk: from the requested offset, or a resend of what was written last.
      return index === 0 || this.recentEndsWith(bytes.subarray(0, index));
    });
    // Several splits fit only when U+FFFD runs make the lengths agree both ways: either this
    // connection starts where it was asked, or it resends text just written. Nothing is written
    // then and the caller asks again: a resend by chance differs from one connection to the
    // next. The very same answer twice in a row from the same offset is this server's answer,
    // not a resend: the connection starts where it was asked.
    const ambiguity = `${this.position}:${end}:${bytes.length}`;
    const repeated = this.ambiguity === ambiguity && splits.includes(0);
    const split = splits.length === 1 ? splits[0] : repeated ? 0 : undefined;
    this.ambiguity = undefined;
    if (split === undefined) {
      this.ambiguity = ambiguity;
      this.unplaceable = true;
      return;
    }
    this.duplicateBytes += split;
    this.write(bytes.subarray(split), this.position);
    if (bytes.length - split !== wanted) this.replaced = true;
    this.position = end;
  }

  /** 'start' offsets: the chunk starts at its offset; where it ends is known unless it holds U+FFFD. */
  placeStart(chunk: Chunk): void {
    const { bytes, offset: first } = chunk;
    if (bytes.length === 0) return;
    if (this.unresolved.length > 0 && first > this.position) this.resolve(first);
    if (this.unresolved.length > 0) {
      if (first === this.position) return this.placeAgainstUnresolved(bytes);
      // Starts before the cursor: trim what is certainly old, then compare the rest.
      if (first + lengths(chunk).max <= this.position) {
        this.duplicateBytes += bytes.length;
        return;
      }
      const split = splitAfterOriginal(bytes, this.position - first);
      if (split === undefined) {
        this.unplaceable = true;
        return;
      }
      this.duplicateBytes += split;
      return this.placeAgainstUnresolved(bytes.subarray(split));
    }
    if (first >= this.position) {
      this.gap(this.position, first - this.position);
      this.write(bytes, first);
      this.settle(bytes, first);
      return;
    }
    // A resend from before the cursor.
    const { min, max } = lengths(chunk);
    if (first + max <= this.position) {
      this.duplicateBytes += bytes.length;
      return;
    }
    const split = splitAfterOriginal(bytes, this.position - first);
    if (split === undefined) {
      // Some U+FFFD before the cursor's position in the text: how much of it is old is not certain.
      this.unplaceable = min !== max || first + min > this.position;
      if (!this.unplaceable) this.duplicateBytes += bytes.length;
      return;
    }
    this.duplicateBytes += split;
    const rest = bytes.subarray(split);
    this.write(rest, this.position);
    this.settle(rest, this.position);
  }

  /** After writing `bytes` from `first`: the cursor moves past them, or they wait to be resolved. */
  private settle(bytes: Buffer, first: number): void {
    if (!hasReplacement(bytes)) {
      this.position = first + bytes.length;
      return;
    }
    this.position = first;
    this.unresolved = bytes;
    this.matched = 0;
    this.wroteUnresolved = true;
  }

  /** A chunk starts at `first`, past the cursor: what the unresolved text stood for ends there (or part of it, when resent). */
  private resolve(first: number): void {
    if (this.matched > 0) {
      // The previous chunk sent the start of the unresolved text again: the rest starts here.
      this.unresolved = this.unresolved.subarray(this.matched);
      this.matched = 0;
    } else {
      const { max } = originalRange(this.unresolved);
      if (first - this.position !== this.unresolved.length) this.replaced = true;
      if (!this.wroteUnresolved || first - this.position > max) this.gap(this.position + max, first - this.position - max);
      this.unresolved = empty;
      this.wroteUnresolved = false;
    }
    this.position = first;
  }

  /** `bytes` start at the cursor, where unresolved text was written: the same text sent again, maybe more. */
  private placeAgainstUnresolved(bytes: Buffer): void {
    const unresolved = this.unresolved;
    if (bytes.length <= unresolved.length && unresolved.subarray(0, bytes.length).equals(bytes)) {
      this.duplicateBytes += bytes.length;
      this.matched = bytes.length;
      return;
    }
    if (bytes.subarray(0, unresolved.length).equals(unresolved)) {
      this.duplicateBytes += unresolved.length;
      this.write(bytes.subarray(unresolved.length), this.position);
      this.unresolved = empty;
      this.settle(bytes, this.position);
      return;
    }
    this.unplaceable = true;
  }
}

function place(state: CursorState, chunks: readonly Chunk[], meaning: OffsetMeaning): [CursorState, Placement] {
  const placer = new Placer(state);
  for (const chunk of chunks) {
    if (meaning === 'end') placer.placeEnd(chunk);
    else placer.placeStart(chunk);
    if (placer.unplaceable) break;
  }
  const next: CursorState = {
    ...state,
    position: placer.position,
    meaning,
    held: [],
    unresolved: placer.unresolved,
    matched: placer.matched,
    wroteUnresolved: placer.wroteUnresolved,
    lastEnd: placer.lastEnd,
    recent: placer.recent,
    ambiguity: placer.ambiguity,
  };
  const placement: Placement = { writes: placer.writes, gaps: placer.gaps, duplicateBytes: placer.duplicateBytes };
  if (placer.replaced) (placement as { replaced?: boolean }).replaced = true;
  if (placer.unplaceable) (placement as { unplaceable?: boolean }).unplaceable = true;
  return [next, placement];
}

const nothing: Placement = { writes: [], gaps: [], duplicateBytes: 0 };

/**
 * Takes one chunk of the current connection. Returns the new state and what to write.
 *
 * Once the meaning is known it is kept: re-reading it on every connection would mistake a resend
 * that ends exactly at the requested offset for the other meaning.
 */
export function acceptChunk(state: CursorState, chunk: Chunk): [CursorState, Placement] {
  return (state.meaning === undefined ? undefined : nextInLine(state, chunk, state.meaning)) ?? acceptChunkSlowly(state, chunk);
}

/**
 * The chunk of nearly every event: the meaning is known, nothing is held or unresolved, and the
 * chunk starts exactly at the cursor with no U+FFFD in it. What `place` would return for it,
 * without its working copy and state spread: the cursor's share of a follow's CPU was ~9% (`--cpu-prof`,
 * 256 MiB). Undefined for any other chunk. Kept equal to `place` by a property test
 * (test/unit/cursor.test.ts), which calls both.
 */
export function nextInLine(state: CursorState, chunk: Chunk, meaning: OffsetMeaning): [CursorState, Placement] | undefined {
  const bytes = chunk.bytes;
  const position = state.position;
  if (state.held.length > 0 || state.unresolved.length > 0 || bytes.length === 0) return undefined;
  const first = meaning === 'end' ? chunk.offset - bytes.length : chunk.offset;
  if (first !== position || hasReplacement(bytes)) return undefined;
  const recent = [...state.recent];
  keepRecent(recent, bytes);
  const next: CursorState = {
    position: position + bytes.length,
    meaning,
    held: state.held,
    requested: state.requested,
    unresolved: state.unresolved,
    matched: state.matched,
    wroteUnresolved: state.wroteUnresolved,
    lastEnd: meaning === 'end' ? chunk.offset : state.lastEnd,
    recent,
    ambiguity: state.ambiguity,
  };
  return [next, { writes: [{ bytes, offset: position }], gaps: [], duplicateBytes: 0 }];
}

/** The general path of acceptChunk, also for the property test that holds nextInLine to it. */
export function acceptChunkSlowly(state: CursorState, chunk: Chunk): [CursorState, Placement] {
  if (chunk.bytes.length === 0 && state.held.length === 0) return [state, nothing];
  const meaning = state.meaning;
  if (meaning !== undefined) return place(state, [...state.held, chunk], meaning);
  const chunks = [...state.held, chunk];
  const detected = detectMeaning(state, chunks);
  if (detected !== undefined) return place(state, chunks, detected);
  const heldBytes = chunks.reduce((sum, c) => sum + c.bytes.length, 0);
  if (heldBytes > MAX_HELD_BYTES) return place(state, chunks, FALLBACK_MEANING);
  return [{ ...state, held: chunks }, nothing];
}

/**
 * The connection ended cleanly: nothing more will disambiguate what is held, so place it with the
 * fallback meaning. (A connection that was cut drops what it held instead: it will be resent.)
 */
export function endConnection(state: CursorState): [CursorState, Placement] {
  if (state.held.length === 0) return [state, nothing];
  return place(state, state.held, state.meaning ?? FALLBACK_MEANING);
}

/** The meaning is known from elsewhere (a probe): place what is held with it and keep it. */
export function decideMeaning(state: CursorState, meaning: OffsetMeaning): [CursorState, Placement] {
  if (state.meaning !== undefined) return [state, nothing];
  return place(state, state.held, meaning);
}

/** Whether the cursor is holding bytes it cannot place yet. */
export function isHolding(state: CursorState): boolean {
  return state.held.length > 0;
}
