/**
 * The common event layout read straight from its bytes: `{"output": "<text>", "offset": N}` (either
 * order, any JSON whitespace). The output string is unescaped byte by byte into a scratch buffer and
 * copied back over the event's own bytes, so a chunk costs no JS string and no allocation: the
 * profile of the string path (BENCHMARKS.md) spent ~8% in JSON.parse, ~5% in latin1 slicing and
 * writing back, and most of its ~19% of garbage collection on those strings.
 *
 * The result must be what `Buffer.from(JSON.parse(data.toString('utf8')).output, 'utf8')` gives, so
 * the reader gives up (returns undefined, and the caller takes the JSON.parse path) on anything it
 * does not read exactly: data that is not valid UTF-8 (a UTF-8 decoder would put U+FFFD where the raw
 * bytes pass through here), another key, a key twice, a key written with escapes, an offset that is
 * not plain digits or is above 2^53 - 1, a raw control character, a bad escape, anything after the
 * object. Escapes: \" \\ \/ \b \f \n \r \t and \uXXXX, surrogate pairs as one 4-byte sequence,
 * a lone surrogate as U+FFFD (EF BF BD), which is what UTF-8 encoding of the parsed string gives.
 */
import { isUtf8 } from 'node:buffer';
import type { Chunk } from './cursor.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * The longest offset read here, as long as Number.MAX_SAFE_INTEGER. Up to 2^53 every step of the
 * digit loop is exact; above it a rounded value can only stay above it, so the range check holds.
 */
const MAX_OFFSET_DIGITS = 16;

/** Unescaped output is written here first, so the event's bytes stay intact until it is known to parse. */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
/** Bytes the last readString wrote to scratch. */
let written = 0;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(data: Buffer, at: number): number {
  while (isSpace(data[at])) at++;
  return at;
}

/** A hex digit's value, or -1. */
function hex(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= ZERO && byte <= NINE) return byte - ZERO;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The code unit of `\uXXXX` whose X's start at `at`, or -1. */
function unit(data: Buffer, at: number): number {
  const a = hex(data[at]);
  const b = hex(data[at + 1]);
  const c = hex(data[at + 2]);
  const d = hex(data[at + 3]);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Writes a code point (never a surrogate) as UTF-8 at scratch[o]; returns the new o. */
function putCodePoint(out: Buffer, o: number, cp: number): number {
  if (cp < 0x80) {
    out[o++] = cp;
  } else if (cp < 0x800) {
    out[o++] = 0xc0 | (cp >> 6);
    out[o++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    out[o++] = 0xe0 | (cp >> 12);
    out[o++] = 0x80 | ((cp >> 6) & 0x3f);
    out[o++] = 0x80 | (cp & 0x3f);
  } else {
    out[o++] = 0xf0 | (cp >> 18);
    out[o++] = 0x80 | ((cp >> 12) & 0x3f);
    out[o++] = 0x80 | ((cp >> 6) & 0x3f);
    out[o++] = 0x80 | (cp & 0x3f);
  }
  return o;
}

/**
 * Unescapes the JSON string whose first content byte is data[at] into scratch (`written` bytes);
 * returns the index after its closing quote, or -1 when it is not a string read here.
 */
function readString(data: Buffer, at: number): number {
  const length = data.length;
  // Unescaping never makes a string longer, so the rest of the event bounds the output.
  if (scratch.length < length - at) {
    scratch = Buffer.allocUnsafeSlow(length - at);
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  const out = scratch;
  const outWords = scratchView;
  const words = new DataView(data.buffer, data.byteOffset, length);
  let o = 0;
  let i = at;
  for (;;) {
    // Four bytes at a time while none of them is special (a control character, '"' or '\\'): the
    // SWAR tests below flag a word holding one (and, after one, maybe a byte that is not; the byte
    // loop then reads it right). Measured 1.4 ns/byte against 2.2-3.7 for the byte loop alone.
    while (i + 4 <= length) {
      const word = words.getUint32(i, true);
      const quote = word ^ 0x22222222;
      const backslash = word ^ 0x5c5c5c5c;
      const special = ((word - 0x20202020) & ~word) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash);
      if ((special & 0x80808080) !== 0) break;
      outWords.setUint32(o, word, true);
      o += 4;
      i += 4;
    }
    if (i >= length) return -1; // unterminated
    const byte = data[i] as number;
    if (byte >= 0x20 && byte !== QUOTE && byte !== BACKSLASH) {
      out[o++] = byte;
      i++;
      continue;
    }
    if (byte === QUOTE) {
      written = o;
      return i + 1;
    }
    if (byte !== BACKSLASH) return -1; // a raw control character: not JSON
    const escape = data[i + 1];
    i += 2;
    switch (escape) {
      case 0x6e: out[o++] = 0x0a; break; // \n
      case QUOTE: case BACKSLASH: case 0x2f: out[o++] = escape; break; // \" \\ \/
      case 0x74: out[o++] = 0x09; break; // \t
      case 0x72: out[o++] = 0x0d; break; // \r
      case 0x62: out[o++] = 0x08; break; // \b
      case 0x66: out[o++] = 0x0c; break; // \f
      case 0x75: { // \uXXXX
        const first = unit(data, i);
        if (first < 0) return -1;
        i += 4;
        if (first >= 0xd800 && first <= 0xdbff && data[i] === BACKSLASH && data[i + 1] === 0x75) {
          const second = unit(data, i + 2);
          if (second >= 0xdc00 && second <= 0xdfff) {
            o = putCodePoint(out, o, 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00));
            i += 6;
            break;
          }
        }
        // A lone surrogate: the parsed string holds it, and UTF-8 encoding gives U+FFFD for it.
        o = putCodePoint(out, o, first >= 0xd800 && first <= 0xdfff ? 0xfffd : first);
        break;
      }
      default:
        return -1;
    }
  }
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
  let outputBytes = -1;
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
      if (outputBytes >= 0 || data[i] !== QUOTE) return undefined;
      outputAt = i + 1;
      i = readString(data, outputAt);
      if (i < 0) return undefined;
      outputBytes = written;
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
  if (skipSpace(data, i + 1) !== data.length || outputBytes < 0 || offset < 0) return undefined;
  // The string's escapes only ever shrink it, so its unescaped bytes fit where its JSON text was.
  scratch.copy(data, outputAt, 0, outputBytes);
  return { bytes: data.subarray(outputAt, outputAt + outputBytes), offset };
}
