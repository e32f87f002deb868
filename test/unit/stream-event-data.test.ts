import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeChunk, decodeErrorEvent, latin1PathHolds } from '../../src/stream/event-data.js';

/** The always-right reading: UTF-8 decode, JSON.parse, UTF-8 encode. */
function slowPath(data: Buffer): { bytes: Buffer; offset: number } {
  const parsed = JSON.parse(data.toString('utf8')) as { output: string; offset: number };
  return { bytes: Buffer.from(parsed.output, 'utf8'), offset: parsed.offset };
}

/** JSON text of a string with every character escaped as \uXXXX where `escape` says so. */
function escapedJson(text: string, escape: readonly boolean[]): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (escape[i % Math.max(1, escape.length)] || unit < 0x20 || unit === 0x22 || unit === 0x5c) {
      out += `\\u${unit.toString(16).padStart(4, '0')}`;
    } else {
      out += text[i];
    }
  }
  return `${out}"`;
}

const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '€', '😀', '\n', '"', '\\', '\u0000', '\u007f', '\u0080', '\u00ff', '\u0100'), fc.string({ unit: 'binary' })) });

describe('decodeChunk', () => {
  it('gives the UTF-8 bytes of output for any JSON.stringify output (lone surrogates too)', () => {
    fc.assert(
      fc.property(anyText, fc.nat(), (output, offset) => {
        const data = Buffer.from(JSON.stringify({ output, offset }), 'utf8');
        const chunk = decodeChunk(data);
        expect(chunk.bytes.equals(Buffer.from(output, 'utf8'))).toBe(true);
        expect(chunk.offset).toBe(offset);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the slow path for every \\u escape, above 0x7F and surrogate pairs included', () => {
    fc.assert(
      fc.property(anyText, fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), fc.nat(), (output, escape, offset) => {
        const data = Buffer.from(`{"output":${escapedJson(output, escape)},"offset":${offset}}`, 'utf8');
        const expected = slowPath(data); // first: decodeChunk may overwrite the data's bytes
        expect(decodeChunk(data)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the slow path when the data is not valid UTF-8', () => {
    const bad = fc.constantFrom([0xe9], [0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0x80]);
    fc.assert(
      fc.property(anyText, bad, anyText, (before, invalid, after) => {
        const data = Buffer.concat([
          Buffer.from(`{"output":${JSON.stringify(before).slice(0, -1)}`),
          Buffer.from(invalid),
          Buffer.from(`${JSON.stringify(after).slice(1)},"offset":3}`),
        ]);
        const expected = slowPath(data);
        expect(decodeChunk(data)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['plain ASCII', '{"output":"abc","offset":3}', true],
    ['raw UTF-8', '{"output":"café €","offset":3}', true],
    ['an ASCII \\u escape', '{"output":"\\u001b[31m","offset":3}', true],
    ['\\u0080', '{"output":"\\u0080","offset":3}', false],
    ['\\u00e9', '{"output":"\\u00e9","offset":3}', false],
    ['a surrogate pair', '{"output":"\\ud83d\\ude00","offset":3}', false],
    ['an escaped backslash then u00e9 (slow but right)', '{"output":"\\\\u00e9","offset":3}', false],
  ])('latin1 fast path for %s: %s', (_name, data, holds) => {
    expect(latin1PathHolds(Buffer.from(data, 'utf8'))).toBe(holds);
    // decodeChunk reads this layout from bytes; the latin1 path serves the others.
    expect(decodeChunk(Buffer.from(data, 'utf8'))).toEqual(slowPath(Buffer.from(data, 'utf8')));
  });

  it('checks invalid UTF-8 even without escapes', () => {
    expect(latin1PathHolds(Buffer.from([0x22, 0xe9, 0x22]))).toBe(false);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['no output', '{"offset":1}', /no "output" string/],
    ['output not a string', '{"output":1,"offset":1}', /no "output" string/],
    ['no offset', '{"output":"a"}', /invalid "offset": none/],
    ['negative offset', '{"output":"a","offset":-1}', /invalid "offset": -1/],
    ['fractional offset', '{"output":"a","offset":1.5}', /invalid "offset": 1.5/],
    ['offset as text', '{"output":"a","offset":"3"}', /invalid "offset": "3"/],
    ['null', 'null', /no "output" string/],
  ])('refuses %s', (_name, data, message) => {
    expect(() => decodeChunk(Buffer.from(data))).toThrow(message);
  });
});

describe('decodeErrorEvent', () => {
  it.each([
    ['{"code":"408","message":"idle"}', 408, 'idle'],
    ['{"code":404,"message":"gone away"}', 404, 'gone away'],
    ['{"code":" 503 "}', 503, ''],
  ])('%s → %i', (data, status, message) => {
    expect(decodeErrorEvent(Buffer.from(data))).toEqual({ status, message });
  });

  it.each([
    ['not JSON', 'timeout', /error event is not JSON/],
    ['no code', '{"message":"x"}', /no HTTP status code/],
    ['a code that is not a status', '{"code":"E_IDLE"}', /no HTTP status code/],
    ['a number out of range', '{"code":42}', /no HTTP status code/],
  ])('refuses %s', (_name, data, message) => {
    expect(() => decodeErrorEvent(Buffer.from(data))).toThrow(message);
  });
});
