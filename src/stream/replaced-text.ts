/**
 * Text whose byte length may not be the byte length its offsets say. An event's `output` is JSON
 * text, so bytes a command wrote that are not UTF-8 can only arrive as U+FFFD, while the service's
 * offsets count the bytes the command wrote. A decoder replaces each invalid sequence (its
 * "maximal subpart", WHATWG Encoding) with one U+FFFD: 1 to 3 original bytes for the 3 bytes
 * EF BF BD of the text. So a text of n bytes holding k U+FFFD stands for n - 2k to n original
 * bytes (n when the command wrote U+FFFD itself).
 */

const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

/** Where each U+FFFD starts in `bytes`. */
export function replacementIndexes(bytes: Buffer): number[] {
  const found: number[] = [];
  for (let at = bytes.indexOf(REPLACEMENT); at !== -1; at = bytes.indexOf(REPLACEMENT, at + 3)) found.push(at);
  return found;
}

/** Whether `bytes` holds a U+FFFD (so its original length may differ from its own). */
export function hasReplacement(bytes: Buffer): boolean {
  return bytes.includes(REPLACEMENT);
}

/** The original byte lengths a text can stand for. */
export function originalRange(bytes: Buffer): { readonly min: number; readonly max: number } {
  return { min: bytes.length - 2 * replacementIndexes(bytes).length, max: bytes.length };
}

function isCharacterStart(bytes: Buffer, index: number): boolean {
  return index >= bytes.length || ((bytes[index] ?? 0) & 0xc0) !== 0x80;
}

/**
 * The text index where the first `length` original bytes end, when that is certain: no U+FFFD
 * before it, so the text there counts the original bytes one for one (even inside a character).
 * Undefined otherwise.
 */
export function splitAfterOriginal(bytes: Buffer, length: number): number | undefined {
  if (length > bytes.length) return undefined;
  const first = bytes.indexOf(REPLACEMENT);
  return first === -1 || first >= length ? length : undefined;
}

/**
 * Every text index `i` (a character start) where `bytes[i..]` can stand for exactly `length`
 * original bytes; `prefixFits(i, min, max)` further says whether `bytes[..i]`, which stands for
 * min..max original bytes, fits what is known of it.
 */
export function suffixSplits(
  bytes: Buffer,
  length: number,
  prefixFits: (index: number, min: number, max: number) => boolean,
): number[] {
  const replacements = replacementIndexes(bytes);
  const splits: number[] = [];
  const highest = bytes.length - length;
  if (highest < 0) return splits;
  const lowest = Math.max(0, highest - 2 * replacements.length);
  for (let index = highest; index >= lowest; index--) {
    if (!isCharacterStart(bytes, index)) continue;
    // A split inside a U+FFFD is no character boundary of the original either.
    if (replacements.some((at) => index > at && index < at + 3)) continue;
    const inSuffix = replacements.filter((at) => at >= index).length;
    const inPrefix = replacements.length - inSuffix;
    const suffixText = bytes.length - index;
    if (length < suffixText - 2 * inSuffix || length > suffixText) continue;
    if (prefixFits(index, index - 2 * inPrefix, index)) splits.push(index);
  }
  return splits;
}
