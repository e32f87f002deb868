import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StdinPieces, splitText, validUtf8Prefix } from '../../src/stdin/pieces.js';

function feed(chunks: readonly Uint8Array[], maxBytes: number): { text: string; pieces: string[]; invalidAt: number | undefined } {
  const splitter = new StdinPieces(maxBytes);
  const pieces: string[] = [];
  let invalidAt: number | undefined;
  for (const chunk of [...chunks.map((c) => splitter.push(c)), splitter.end()]) {
    pieces.push(...chunk.pieces);
    invalidAt ??= chunk.invalidAt;
  }
  return { text: pieces.join(''), pieces, invalidAt };
}

/** Cuts bytes at the given positions. */
function cut(bytes: Buffer, positions: readonly number[]): Buffer[] {
  const sorted = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...sorted, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('validUtf8Prefix', () => {
  const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex');
  it.each([
    ['ascii', Buffer.from('hello'), 5],
    ['two-byte', hex('c3a9'), 2],
    ['euro and emoji', hex('e282ac f09f9880'), 7],
    ['lone continuation', hex('61 80'), 1],
    ['overlong slash', hex('c0af'), 0],
    ['overlong three-byte', hex('e080af'), 0],
    ['surrogate', hex('eda080'), 0],
    ['above U+10FFFF', hex('f4908080'), 0],
    ['ff', hex('61 62 ff'), 2],
    ['cut-off at the end', hex('61 e2 82'), 1],
  ])('%s', (_name, bytes, expected) => {
    expect(validUtf8Prefix(bytes)).toBe(expected);
  });

  it('agrees with Node on whether bytes are UTF-8, and the prefix is', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const prefix = validUtf8Prefix(bytes);
        expect(prefix === bytes.length).toBe(isUtf8(bytes));
        expect(isUtf8(bytes.subarray(0, prefix))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('splitText', () => {
  it('never cuts a character and keeps each piece within the size', () => {
    const pieces = splitText(Buffer.from('aé€😀'.repeat(10)), 5);
    expect(pieces.join('')).toBe('aé€😀'.repeat(10));
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(5);
  });
});

describe('StdinPieces', () => {
  it('any split of UTF-8 input gives the same text in bounded pieces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 4, max: 20 }), (text, positions, max) => {
        const bytes = Buffer.from(text, 'utf8');
        const result = feed(cut(bytes, positions), max);
        expect(result.invalidAt).toBeUndefined();
        expect(result.text).toBe(bytes.toString('utf8'));
        for (const piece of result.pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('any split of any bytes: stops at the same first invalid byte, with everything before it sent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.array(fc.nat(), { maxLength: 10 }), (raw, positions) => {
        const bytes = Buffer.from(raw);
        const result = feed(cut(bytes, positions), 8);
        const valid = validUtf8Prefix(bytes);
        expect(result.invalidAt).toBe(valid === bytes.length ? undefined : valid);
        expect(Buffer.from(result.text, 'utf8').equals(bytes.subarray(0, valid))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a character cut off at the end of the input is not UTF-8', () => {
    const splitter = new StdinPieces(16);
    expect(splitter.push(Buffer.from('ab\xe2\x82', 'latin1'))).toEqual({ pieces: ['ab'] });
    expect(splitter.end()).toEqual({ pieces: [], invalidAt: 2 });
    expect(splitter.push(Buffer.from('x'))).toEqual({ pieces: [], invalidAt: 2 });
  });
});
