/**
 * The emulator's UTF-8 boundaries (on the rules of render/utf8.ts): an event's `output` is a JSON
 * string, so the emulator never cuts a character in two. Invalid bytes are treated as one-byte
 * characters so they never hold the stream back (they reach the client as U+FFFD, with offsets
 * still counting file bytes).
 */
import { completePrefixLength, isContinuation, sequenceLength } from '../render/utf8.js';

/**
 * Where the character containing byte `index` starts, given the bytes just before it
 * (`before[before.length - 1]` is the byte at `index - 1`). Used to move a requested offset that
 * falls inside a character back to that character's first byte.
 */
export function characterStart(index: number, before: Uint8Array, at: number | undefined): number {
  if (at === undefined || !isContinuation(at)) return index;
  for (let back = 1; back <= Math.min(3, before.length); back++) {
    const byte = before[before.length - back] ?? 0;
    if (isContinuation(byte)) continue;
    return sequenceLength(byte) > back ? index - back : index;
  }
  return index;
}

/**
 * How many of `bytes` one event carries: at most `max` bytes ending on a character boundary; one
 * character longer than `max` whole; 0 when `bytes` stop inside a character still being written.
 * `complete` says `bytes` reach the end of the output for good (the execution has completed), so
 * a truncated character there goes out as it is.
 */
export function eventLength(bytes: Uint8Array, max: number, complete: boolean): number {
  const limit = Math.min(max, bytes.length);
  const take = completePrefixLength(bytes, limit, complete && limit === bytes.length);
  if (take > 0 || bytes.length === 0) return take;
  const lead = sequenceLength(bytes[0] ?? 0);
  let length = 1;
  while (length < lead && length < bytes.length && isContinuation(bytes[length] ?? 0)) length++;
  if (length === lead) return lead;
  // A lead byte whose sequence stops early is one U+FFFD for a decoder (its maximal subpart):
  // send just that, or the character after it would be cut in two and decode differently.
  if (length < bytes.length) return length;
  return complete ? bytes.length : 0;
}
