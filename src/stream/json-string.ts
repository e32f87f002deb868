/**
 * The content of a JSON string as the UTF-8 bytes it stands for, read from bytes: the hot path of
 * every stream event (event-bytes.ts). The plain runs are copied sixteen bytes at a time by a
 * WebAssembly SIMD routine (json-string.wat, assembled at build time); the rare `\u` escapes are
 * written here. Measured on 33 KiB events of 100-byte lines (one `\n` escape each, é and € in
 * them): 0.21 ns a byte, copies in and out included, against 1.27 for the four-bytes-at-a-time
 * JavaScript loop it replaces, which was 30% of a follow's CPU (BENCHMARKS.md).
 *
 * The bytes are what UTF-8 encoding of the parsed string gives: \" \\ \/ \b \f \n \r \t and
 * \uXXXX, a surrogate pair as one 4-byte sequence, a lone surrogate as U+FFFD (EF BF BD). A raw
 * control character, an unknown or short escape, or no closing quote: not read here (the caller
 * leaves such data to JSON.parse). Where WebAssembly is not available (`node --jitless`) nothing is
 * read here either, and every event takes the JSON.parse path: slower, as exact.
 */
import binary from './json-string.wat';

const BACKSLASH = 0x5c;
const LETTER_U = 0x75;
const PAGE_BYTES = 64 * 1024;

/** What json-string.wat exports. */
interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly unescape: (end: number) => number;
  readonly inAt: { value: number };
  readonly outAt: { value: number };
}

/** The part of the WebAssembly API used here; absent in `--jitless` mode. */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}

interface Engine {
  readonly exports: Exports;
  /** A view of the whole memory, renewed when it grows. */
  memory: Uint8Array;
}

/** undefined: not loaded yet; null: WebAssembly is not available here. */
let engine: Engine | null | undefined;

function load(): Engine | null {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null;
  try {
    const exports = new api.Instance(new api.Module(binary)).exports as Exports;
    return { exports, memory: new Uint8Array(exports.memory.buffer) };
  } catch {
    return null; // no SIMD on this machine, or compiling is switched off
  }
}

/** Whether strings are read here (WebAssembly is available); loads the routine on first use. */
export function jsonStringEngineLoaded(): boolean {
  engine ??= load();
  return engine !== null;
}

/** A hex digit's value, or -1. */
function hex(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The code unit of the four hex digits at `at`, or -1. */
function unit(bytes: Uint8Array, at: number): number {
  const a = hex(bytes[at]);
  const b = hex(bytes[at + 1]);
  const c = hex(bytes[at + 2]);
  const d = hex(bytes[at + 3]);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Writes a code point (never a surrogate) as UTF-8 at out[o]; returns the new o. */
function putCodePoint(out: Uint8Array, o: number, cp: number): number {
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
 * Writes the `\uXXXX` escape at bytes[at] (and the low half of a surrogate pair after it) as UTF-8
 * at bytes[out]; false when it is not a whole escape within `end`. The UTF-8 (at most 4 bytes for
 * 6 or 12 of escape) never reaches bytes not yet read.
 */
function writeUnicodeEscape(exports: Exports, bytes: Uint8Array, end: number): boolean {
  const at = exports.inAt.value;
  if (at + 6 > end + 9) return false;
  const first = unit(bytes, at + 2);
  if (first < 0) return false;
  let next = at + 6;
  let cp = first;
  if (first >= 0xd800 && first <= 0xdbff && next + 6 <= end + 9 && bytes[next] === BACKSLASH && bytes[next + 1] === LETTER_U) {
    const second = unit(bytes, next + 2);
    if (second >= 0xdc00 && second <= 0xdfff) {
      cp = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
      next += 6;
    }
  }
  // A lone surrogate: the parsed string holds it, and UTF-8 encoding gives U+FFFD for it.
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  exports.outAt.value = putCodePoint(bytes, exports.outAt.value, cp);
  exports.inAt.value = next;
  return true;
}

/** A string read: the index in `data` after its closing quote, and its bytes. */
export interface JsonString {
  readonly end: number;
  /** A view of the routine's memory: valid until the next call, to be copied before it. */
  readonly bytes: Uint8Array;
}

/**
 * Reads the JSON string whose first content byte is data[at] (the one after its opening quote);
 * undefined when it is not a string read here, or WebAssembly is not available.
 */
export function readJsonString(data: Uint8Array, at: number): JsonString | undefined {
  engine ??= load();
  if (engine === null) return undefined;
  const { exports } = engine;
  const length = data.length - at;
  if (engine.memory.length < length) {
    exports.memory.grow(Math.ceil((length - engine.memory.length) / PAGE_BYTES));
    engine.memory = new Uint8Array(exports.memory.buffer);
  }
  const memory = engine.memory;
  memory.set(data.subarray(at), 0);
  exports.inAt.value = 0;
  exports.outAt.value = 0;
  for (;;) {
    const result = exports.unescape(length);
    if (result === 0) return { end: at + exports.inAt.value, bytes: memory.subarray(0, exports.outAt.value) };
    if (result !== 1 || !writeUnicodeEscape(exports, memory, length)) return undefined;
  }
}
