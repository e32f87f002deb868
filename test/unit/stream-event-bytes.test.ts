import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readChunkInPlace } from '../../src/stream/event-bytes.js';
import { decodeChunk } from '../../src/stream/event-data.js';
import { jsonStringEngineLoaded, readJsonString } from '../../src/stream/json-string.js';

/** What decodeChunk must give: UTF-8 decode, JSON.parse, the checks, UTF-8 encode; or 'refused'. */
function reference(data: Buffer): { bytes: Buffer; offset: number } | 'refused' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return 'refused';
  }
  const record = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const { output, offset } = record;
  if (typeof output !== 'string' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return 'refused';
  return { bytes: Buffer.from(output, 'utf8'), offset };
}

function decoded(data: Buffer): { bytes: Buffer; offset: number } | 'refused' {
  try {
    const chunk = decodeChunk(data);
    return { bytes: Buffer.from(chunk.bytes), offset: chunk.offset };
  } catch {
    return 'refused';
  }
}

/** Characters that exercise every branch: ASCII, every short escape, controls, 2-4 byte UTF-8, surrogates alone and paired. */
const char = fc.oneof(
  fc.constantFrom('a', '/', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '€', '\uffff', '😀', '\u{10ffff}'),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'), // lone surrogates
  fc.string({ unit: 'binary', maxLength: 1 }),
);
const text = fc.array(char, { maxLength: 40 }).map((chars) => chars.join(''));
/**
 * Longer text, mostly plain, so that the sixteen-byte blocks of json-string.wat are read whole,
 * with special bytes (and \u escapes) at every place in a block and runs across block ends.
 */
const longText = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'é', '€', '~'), minLength: 1, maxLength: 40 }) }, { weight: 1, arbitrary: char }), { maxLength: 60 })
  .map((parts) => parts.join(''));

/** One way of writing a code unit in JSON, chosen by `how`. */
function writeUnit(unit: number, how: number): string {
  const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x2f: '\\/', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };
  const hex = unit.toString(16).padStart(4, '0');
  if (how % 3 === 0) return `\\u${how % 2 === 0 ? hex : hex.toUpperCase()}`;
  if (short[unit] !== undefined && (how % 3 === 1 || unit < 0x20 || unit === 0x22 || unit === 0x5c)) return short[unit];
  if (unit < 0x20 || unit === 0x22 || unit === 0x5c || (unit >= 0xd800 && unit <= 0xdfff)) return `\\u${hex}`;
  return String.fromCharCode(unit);
}

/** JSON text of `value` with each code unit written one of the ways JSON allows. */
function jsonString(value: string, hows: readonly number[]): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) out += writeUnit(value.charCodeAt(i), hows[i % hows.length] ?? 1);
  return `${out}"`;
}

const space = fc.constantFrom('', '', ' ', '\n', '\t', '\r\n ', '  ');

describe('readChunkInPlace: the common layout read from bytes', () => {
  it('reads strings with the WebAssembly routine here (so the cases below test it)', () => {
    expect(jsonStringEngineLoaded()).toBe(true);
  });

  it('gives the UTF-8 bytes of output for long text written every way JSON allows (whole and partial sixteen-byte blocks)', () => {
    fc.assert(
      fc.property(longText, fc.array(fc.nat(5), { minLength: 1, maxLength: 9 }), fc.maxSafeNat(), (output, hows, offset) => {
        const data = Buffer.from(`{"output":${jsonString(output, hows)},"offset":${offset}}`, 'utf8');
        const expected = reference(data);
        const chunk = readChunkInPlace(data);
        expect(chunk).toBeDefined();
        expect(chunk).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a \\u escape', '\\u00', 'e9"'],
    ['the low half of a surrogate pair', '\\ud83d\\ude', '00"'],
    ['the escape of a low half', '\\ud83d\\', 'ude00"'],
    ['a string before its closing quote', 'abc', '"'],
    ['an escape', 'abc\\', 'n"'],
  ])('refuses %s cut short, even where the bytes left in memory from a longer string complete it', (_name, cut, rest) => {
    const longer = Buffer.from(`"${cut}${rest}, "offset": 1}`);
    expect(readJsonString(longer, 1)).toBeDefined();
    expect(readJsonString(Buffer.from(`"${cut}`), 1)).toBeUndefined();
  });

  it('gives the UTF-8 bytes of output for any JSON.stringify text (astral, lone surrogates, controls)', () => {
    fc.assert(
      fc.property(text, fc.maxSafeNat(), (output, offset) => {
        const data = Buffer.from(JSON.stringify({ output, offset }), 'utf8');
        const chunk = readChunkInPlace(data);
        expect(chunk).toBeDefined();
        expect(chunk?.bytes.equals(Buffer.from(output, 'utf8'))).toBe(true);
        expect(chunk?.offset).toBe(offset);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with JSON.parse for every way of escaping, either key order and any whitespace', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(5), { minLength: 1, maxLength: 9 }),
        fc.maxSafeNat(),
        fc.boolean(),
        fc.array(space, { minLength: 8, maxLength: 8 }),
        (output, hows, offset, offsetFirst, s) => {
          const members = [`"output"${s[0]}:${s[1]}${jsonString(output, hows)}`, `"offset"${s[2]}:${s[3]}${offset}`];
          if (offsetFirst) members.reverse();
          const data = Buffer.from(`${s[4]}{${s[5]}${members.join(`${s[6]},`)}${s[7]}}${s[4]}`, 'utf8');
          const expected = reference(data);
          const chunk = readChunkInPlace(data);
          expect(chunk).toBeDefined(); // this layout is read from bytes every time
          expect(chunk).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['invalid UTF-8', Buffer.from([...Buffer.from('{"output":"a'), 0xe9, ...Buffer.from('","offset":1}')])],
    ['an encoded surrogate (not UTF-8)', Buffer.from([...Buffer.from('{"output":"'), 0xed, 0xa0, 0x80, ...Buffer.from('","offset":1}')])],
    ['a key twice (JSON.parse takes the last)', '{"output":"a","output":"b","offset":1}'],
    ['offset twice', '{"output":"a","offset":1,"offset":2}'],
    ['another key', '{"output":"a","offset":1,"stream":"stdout"}'],
    ['a key written with an escape', '{"\\u006futput":"a","offset":1}'],
    ['a leading zero', '{"output":"a","offset":01}'],
    ['a fraction', '{"output":"a","offset":1.0}'],
    ['an exponent', '{"output":"a","offset":1e3}'],
    ['a negative offset', '{"output":"a","offset":-1}'],
    ['an offset above 2^53 - 1', '{"output":"a","offset":9007199254740992}'],
    ['17 digits', '{"output":"a","offset":10000000000000000}'],
    ['an offset as text', '{"output":"a","offset":"1"}'],
    ['a raw control character', '{"output":"a\tb","offset":1}'],
    ['a bad escape', '{"output":"a\\x","offset":1}'],
    ['a short \\u escape', '{"output":"a\\u12","offset":1}'],
    ['an unterminated string', '{"output":"abc'],
    ['text after the object', '{"output":"a","offset":1} x'],
    ['a missing offset', '{"output":"a"}'],
    ['a missing output', '{"offset":1}'],
    ['not an object', '["a",1]'],
    ['a trailing comma', '{"output":"a","offset":1,}'],
  ])('leaves %s to JSON.parse, bytes untouched', (_name, raw) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
    const before = Buffer.from(data);
    expect(readChunkInPlace(data)).toBeUndefined();
    expect(data.equals(before)).toBe(true);
    expect(decoded(data)).toEqual(reference(before));
  });

  it('reads the largest safe offset exactly', () => {
    expect(readChunkInPlace(Buffer.from('{"output":"","offset":9007199254740991}'))?.offset).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('decodeChunk agrees with JSON.parse on damaged events (bytes dropped, changed or inserted)', () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('drop', 'set', 'insert'), byte: fc.constantFrom(0x22, 0x5c, 0x2c, 0x3a, 0x7d, 0x20, 0x09, 0x75, 0x30, 0xe9, 0xc3, 0x80, 0x6e, 0x00) });
    fc.assert(
      fc.property(text, fc.nat({ max: 1e6 }), fc.array(edit, { maxLength: 3 }), (output, offset, edits) => {
        const bytes = [...Buffer.from(JSON.stringify({ output, offset }), 'utf8')];
        for (const { at, kind, byte } of edits) {
          const i = at % (bytes.length + 1);
          if (kind === 'drop') bytes.splice(i, 1);
          else if (kind === 'set' && i < bytes.length) bytes[i] = byte;
          else bytes.splice(i, 0, byte);
        }
        const data = Buffer.from(bytes);
        const expected = reference(Buffer.from(data));
        expect(decoded(data)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads events larger than its first scratch buffer', () => {
    const output = `${'é€ abc\n'.repeat(20000)}"\\😀`;
    const data = Buffer.from(JSON.stringify({ output, offset: 7 }), 'utf8');
    expect(data.length).toBeGreaterThan(64 * 1024);
    const chunk = readChunkInPlace(data);
    expect(chunk?.bytes.equals(Buffer.from(output, 'utf8'))).toBe(true);
  });
});
