/**
 * The one UTF-8 boundary rule (render/utf8.ts) that the line assembler, stdin's pieces and the
 * emulator's events share.
 */
import { describe, expect, it } from 'vitest';
import { completePrefixLength, isContinuation, sequenceLength } from '../../src/render/utf8.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('sequenceLength', () => {
  it.each([
    { lead: 0x41, length: 1 },
    { lead: 0xc3, length: 2 },
    { lead: 0xe2, length: 3 },
    { lead: 0xf0, length: 4 },
    { lead: 0x80, length: 1 }, // a stray continuation byte
    { lead: 0xff, length: 1 }, // never valid
    { lead: 0xc0, length: 1 }, // overlong lead, never valid (stdin's copy said 2: it now finds it invalid at once)
    { lead: 0xc1, length: 1 },
    { lead: 0xc2, length: 2 },
    { lead: 0xdf, length: 2 },
    { lead: 0xef, length: 3 },
    { lead: 0xf4, length: 4 },
    { lead: 0xf5, length: 1 }, // above U+10FFFF, never valid (stdin's copy said 4)
  ])('$lead → $length', ({ lead, length }) => expect(sequenceLength(lead)).toBe(length));
});

describe('completePrefixLength', () => {
  // 'é€😀' is 2 + 3 + 4 bytes: boundaries at 0, 2, 5, 9.
  const mixed = bytes('é€😀');
  it.each([
    { name: 'ascii', input: bytes('abc'), length: 3, atEnd: false, expected: 3 },
    { name: 'whole text', input: mixed, length: 9, atEnd: false, expected: 9 },
    { name: 'inside é', input: mixed, length: 1, atEnd: false, expected: 0 },
    { name: 'after é', input: mixed, length: 2, atEnd: false, expected: 2 },
    { name: 'inside € (1 of 3)', input: mixed, length: 3, atEnd: false, expected: 2 },
    { name: 'inside € (2 of 3)', input: mixed, length: 4, atEnd: false, expected: 2 },
    { name: 'inside 😀 (3 of 4)', input: mixed, length: 8, atEnd: false, expected: 5 },
    { name: 'a partial character at the end is released', input: mixed, length: 8, atEnd: true, expected: 8 },
    { name: 'invalid bytes never hold back', input: Buffer.from([0x61, 0xff, 0xfe]), length: 3, atEnd: false, expected: 3 },
    { name: 'stray continuations', input: Buffer.from([0x80, 0x80, 0x80, 0x80]), length: 4, atEnd: false, expected: 4 },
    { name: 'empty', input: Buffer.alloc(0), length: 0, atEnd: false, expected: 0 },
  ])('$name', ({ input, length, atEnd, expected }) => {
    expect(completePrefixLength(input, length, atEnd)).toBe(expected);
  });
});

describe('isContinuation', () => {
  it.each([
    [0x00, false],
    [0x7f, false],
    [0x80, true],
    [0xbf, true],
    [0xc0, false],
    [0xff, false],
  ])('%i → %s', (byte, expected) => expect(isContinuation(byte)).toBe(expected));
});
