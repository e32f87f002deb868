/**
 * Offset bookkeeping for one output stream: which bytes of a chunk are new, which were already
 * written (a server may resend), and where bytes are missing (a gap the server cannot fill).
 *
 * Pure: state in, state and verdict out. The cursor works in UTF-8 bytes, never JS string length,
 * because the API's offsets are byte offsets.
 */

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
  /** Bytes of the stream written so far: the offset to resume from. */
  readonly position: number;
  /** The meaning of chunk offsets, once the chunks have shown it. */
  readonly meaning: OffsetMeaning | undefined;
  /** Chunks of this connection whose meaning is still ambiguous, oldest first. */
  readonly held: readonly Chunk[];
  /** The offset this connection asked for. */
  readonly requested: number;
}

/** What the caller must do with a chunk. */
export interface Placement {
  /** New bytes to write, in order, each with its stream offset. */
  readonly writes: readonly { readonly bytes: Buffer; readonly offset: number }[];
  /** Ranges the server skipped: bytes that will never arrive. */
  readonly gaps: readonly { readonly offset: number; readonly length: number }[];
  /** Bytes received that had already been written (resent), dropped. */
  readonly duplicateBytes: number;
}

/** Held ambiguous bytes beyond this are placed with the fallback meaning, to bound memory. */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;

/** The meaning assumed when the chunks never tell: the official SDKs' convention. */
export const FALLBACK_MEANING: OffsetMeaning = 'end';

export function createCursor(position = 0, meaning?: OffsetMeaning): CursorState {
  return { position, meaning, held: [], requested: position };
}

/** A new connection asks for `state.position`; anything held from the old one will be resent. */
export function startConnection(state: CursorState): CursorState {
  return { ...state, held: [], requested: state.position };
}

function firstByteOf(chunk: Chunk, meaning: OffsetMeaning): number {
  return meaning === 'end' ? chunk.offset - chunk.bytes.length : chunk.offset;
}

/**
 * Decides the meaning from the chunks seen on this connection, or returns undefined while the
 * chunks fit both. A connection's first chunk should start exactly at the requested offset, and
 * each next chunk exactly where the previous one ended; the meaning under which that holds wins.
 */
function detectMeaning(state: CursorState, chunks: readonly Chunk[]): OffsetMeaning | undefined {
  const candidates: OffsetMeaning[] = ['end', 'start'];
  const score = (meaning: OffsetMeaning): number | undefined => {
    let expected = state.requested;
    let fits = 0;
    for (const chunk of chunks) {
      const first = firstByteOf(chunk, meaning);
      if (first < 0) return undefined; // impossible under this meaning
      if (first === expected) fits++;
      expected = first + chunk.bytes.length;
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

function place(state: CursorState, chunks: readonly Chunk[], meaning: OffsetMeaning): [CursorState, Placement] {
  let position = state.position;
  const writes: { bytes: Buffer; offset: number }[] = [];
  const gaps: { offset: number; length: number }[] = [];
  let duplicateBytes = 0;
  for (const chunk of chunks) {
    const first = firstByteOf(chunk, meaning);
    const end = first + chunk.bytes.length;
    if (chunk.bytes.length === 0) continue;
    if (end <= position) {
      duplicateBytes += chunk.bytes.length;
      continue;
    }
    if (first > position) gaps.push({ offset: position, length: first - position });
    const skip = Math.max(0, position - first);
    duplicateBytes += skip;
    writes.push({ bytes: skip === 0 ? chunk.bytes : chunk.bytes.subarray(skip), offset: first + skip });
    position = end;
  }
  return [
    { ...state, position, meaning, held: [] },
    { writes, gaps, duplicateBytes },
  ];
}

const nothing: Placement = { writes: [], gaps: [], duplicateBytes: 0 };

/**
 * Takes one chunk of the current connection. Returns the new state and what to write.
 *
 * Once the meaning is known it is kept: re-reading it on every connection would mistake a resend
 * that ends exactly at the requested offset for the other meaning.
 */
export function acceptChunk(state: CursorState, chunk: Chunk): [CursorState, Placement] {
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

/** Whether the cursor is holding bytes it cannot place yet. */
export function isHolding(state: CursorState): boolean {
  return state.held.length > 0;
}
