/**
 * Stdin as pieces of JSON text: send_std_in carries `text`, so only valid UTF-8 can travel, and a
 * piece must end on a character boundary. Pure: fed chunks as they are read, it returns the pieces
 * to send and, once, where the input stops being UTF-8 (any split of the input gives the same
 * pieces' text and the same position).
 */
import { isUtf8 } from 'node:buffer';
import { completePrefixLength, isContinuation, sequenceLength } from '../render/utf8.js';

/** What one call hands back. */
export interface PieceBatch {
  /** Text to send in order, each at most the piece size in UTF-8 bytes. */
  readonly pieces: readonly string[];
  /** The byte offset in the whole input of the first byte that is not UTF-8, once found. */
  readonly invalidAt?: number;
}

/**
 * The length of the longest prefix of `bytes` that is complete, valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF). A sequence cut off at the end is not counted.
 */
export function validUtf8Prefix(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The lead's length is the one boundary rule's; validity narrows the second byte's range.
    const length = sequenceLength(b);
    if (length === 1) return i;
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (i + length > n) return i;
    const second = bytes[i + 1] ?? 0;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] ?? 0;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return i;
}

/** Cuts valid UTF-8 into strings of at most `maxBytes` bytes, each ending on a character boundary. */
export function splitText(bytes: Buffer, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + maxBytes);
    while (end < bytes.length && end > start + 1 && isContinuation(bytes[end] ?? 0)) end--;
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

/** Turns stdin's chunks into pieces of text; stops for good at the first byte that is not UTF-8. */
export class StdinPieces {
  private readonly maxBytes: number;
  /** An incomplete character at the end of the last chunk (at most 3 bytes). */
  private carry: Buffer = Buffer.alloc(0);
  /** Bytes of the input before `carry`. */
  private offset = 0;
  private invalid: number | undefined;

  constructor(maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 4) throw new RangeError(`a piece must hold at least 4 bytes, got ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** The pieces a chunk completes. */
  push(chunk: Uint8Array): PieceBatch {
    if (this.invalid !== undefined) return { pieces: [], invalidAt: this.invalid };
    const data = this.carry.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.carry, chunk]);
    // Where the last character starts when it is incomplete (carried to the next chunk). A byte
    // that cannot start a character is not carried: validUtf8Prefix finds it now.
    return this.take(data, completePrefixLength(data, data.length, false));
  }

  /** The end of the input: a character cut off at the end is not UTF-8. */
  end(): PieceBatch {
    if (this.invalid !== undefined) return { pieces: [], invalidAt: this.invalid };
    const batch = this.take(this.carry, this.carry.length);
    if (this.carry.length === 0 || batch.invalidAt !== undefined) return batch;
    this.invalid = this.offset;
    return { pieces: batch.pieces, invalidAt: this.invalid };
  }

  private take(data: Buffer, end: number): PieceBatch {
    const whole = data.subarray(0, end);
    if (isUtf8(whole)) {
      this.carry = Buffer.from(data.subarray(end)); // a copy: the reader may reuse its buffer
      this.offset += end;
      return { pieces: splitText(whole, this.maxBytes) };
    }
    const valid = validUtf8Prefix(whole);
    this.invalid = this.offset + valid;
    this.carry = Buffer.alloc(0);
    return { pieces: splitText(whole.subarray(0, valid), this.maxBytes), invalidAt: this.invalid };
  }
}
