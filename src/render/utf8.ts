/**
 * UTF-8 character boundaries over raw bytes, the one implementation for every cut that must not
 * split a character: the line assembler's long-line cuts, stdin's pieces, the emulator's events.
 * A byte that cannot start a character counts as one byte (invalid input never holds anything back).
 */

/** The byte length a lead byte announces: 1 for ASCII and for bytes that cannot start a character. */
export function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** True for a continuation byte (10xxxxxx): never the first byte of a character. */
export function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * The length of the longest prefix of `bytes[0, length)` that ends on a character boundary.
 * When `atEnd` is true nothing more will come, so a trailing partial character is released as is.
 */
export function completePrefixLength(bytes: Uint8Array, length: number, atEnd: boolean): number {
  if (atEnd) return length;
  // Only the last three bytes can belong to an unfinished character.
  for (let back = 1; back <= Math.min(3, length); back++) {
    const index = length - back;
    const byte = bytes[index] ?? 0;
    if (isContinuation(byte)) continue;
    return sequenceLength(byte) > back ? index : length;
  }
  return length;
}
