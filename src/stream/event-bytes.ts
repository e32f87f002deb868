/**
 * The common event layout read straight from its bytes: `{"output": "<text>", "offset": N}` (either
 * order, any JSON whitespace). The output string is unescaped by json-string.ts and copied back
 * over the event's own bytes, so a chunk costs no JS string and no allocation: the profile of the
 * string path (BENCHMARKS.md) spent ~8% in JSON.parse, ~5% in latin1 slicing and writing back, and
 * most of its ~19% of garbage collection on those strings.
 *
 * The result must be what `Buffer.from(JSON.parse(data.toString('utf8')).output, 'utf8')` gives, so
 * the reader gives up (returns undefined, and the caller takes the JSON.parse path) on anything it
 * does not read exactly: data that is not valid UTF-8 (a UTF-8 decoder would put U+FFFD where the raw
 * bytes pass through here), another key, a key twice, a key written with escapes, an offset that is
 * not plain digits or is above 2^53 - 1, a raw control character, a bad escape, anything after the
 * object; and every event where WebAssembly is not available (json-string.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { Chunk } from './cursor.js';
import { readJsonString } from './json-string.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const ZERO = 0x30;

/**
 * The longest offset read here, as long as Number.MAX_SAFE_INTEGER. Up to 2^53 every step of the
 * digit loop is exact; above it a rounded value can only stay above it, so the range check holds.
 */
const MAX_OFFSET_DIGITS = 16;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(data: Buffer, at: number): number {
  while (isSpace(data[at])) at++;
  return at;
}

/** Which key starts at data[at] (after its opening quote), with its closing quote: 1 output, 2 offset, 0 other. */
function keyAt(data: Buffer, at: number): 0 | 1 | 2 {
  if (data[at + 6] !== QUOTE || data[at] !== 0x6f) return 0; // o....."
  const b = data[at + 1];
  if (b === 0x75 && data[at + 2] === 0x74 && data[at + 3] === 0x70 && data[at + 4] === 0x75 && data[at + 5] === 0x74) return 1; // utput
  if (b === 0x66 && data[at + 2] === 0x66 && data[at + 3] === 0x73 && data[at + 4] === 0x65 && data[at + 5] === 0x74) return 2; // ffset
  return 0;
}

/**
 * Reads a stream event's data in the common layout. On success the returned chunk's bytes are a view
 * of `data`, whose bytes it overwrote; on undefined `data` is untouched and the caller must take the
 * JSON.parse path (which also gives the right error for data that is not a chunk).
 */
export function readChunkInPlace(data: Buffer): Chunk | undefined {
  if (!isUtf8(data)) return undefined;
  let i = skipSpace(data, 0);
  if (data[i] !== OPEN) return undefined;
  i++;
  let outputAt = -1;
  let output: Uint8Array | undefined;
  let offset = -1;
  for (;;) {
    i = skipSpace(data, i);
    if (data[i] !== QUOTE) return undefined;
    const key = keyAt(data, i + 1);
    if (key === 0) return undefined;
    i = skipSpace(data, i + 8);
    if (data[i] !== COLON) return undefined;
    i = skipSpace(data, i + 1);
    if (key === 1) {
      if (output !== undefined || data[i] !== QUOTE) return undefined;
      outputAt = i + 1;
      const string = readJsonString(data, outputAt);
      if (string === undefined) return undefined;
      i = string.end;
      output = string.bytes;
    } else {
      if (offset >= 0) return undefined;
      const start = i;
      let value = 0;
      for (let digit = (data[i] ?? -1) - ZERO; digit >= 0 && digit <= 9; digit = (data[++i] ?? -1) - ZERO) value = value * 10 + digit;
      const digits = i - start;
      // No digits, a leading zero, too many digits (a fraction or exponent fails below): the JSON.parse path decides.
      if (digits === 0 || digits > MAX_OFFSET_DIGITS || value > Number.MAX_SAFE_INTEGER || (digits > 1 && data[start] === ZERO)) return undefined;
      offset = value;
    }
    i = skipSpace(data, i);
    if (data[i] === COMMA) {
      i++;
      continue;
    }
    if (data[i] !== CLOSE) return undefined;
    break;
  }
  if (skipSpace(data, i + 1) !== data.length || output === undefined || offset < 0) return undefined;
  // The string's escapes only ever shrink it, so its unescaped bytes fit where its JSON text was.
  data.set(output, outputAt);
  return { bytes: data.subarray(outputAt, outputAt + output.length), offset };
}
