import { describe, expect, it } from 'vitest';
import { characterStart, eventLength } from '../../src/emulator/utf8.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('characterStart', () => {
  const mixed = bytes('é€😀');
  const at = (index: number) => characterStart(index, mixed.subarray(Math.max(0, index - 3), index), mixed[index]);
  it.each([
    { index: 0, expected: 0 },
    { index: 1, expected: 0 },
    { index: 2, expected: 2 },
    { index: 3, expected: 2 },
    { index: 4, expected: 2 },
    { index: 5, expected: 5 },
    { index: 6, expected: 5 },
    { index: 7, expected: 5 },
    { index: 8, expected: 5 },
    { index: 9, expected: 9 }, // the end
  ])('offset $index starts its character at $expected', ({ index, expected }) => expect(at(index)).toBe(expected));

  it('leaves stray continuation bytes where they are', () => {
    const stray = Buffer.from([0x61, 0x80, 0x80]);
    expect(characterStart(2, stray.subarray(0, 2), stray[2])).toBe(2);
  });
});

describe('eventLength', () => {
  const mixed = bytes('é€😀'); // boundaries 0, 2, 5, 9
  it.each([
    { name: 'all of it', input: mixed, max: 100, complete: false, expected: 9 },
    { name: 'up to max on a boundary', input: mixed, max: 6, complete: false, expected: 5 },
    { name: 'a character longer than max goes whole', input: mixed.subarray(5), max: 1, complete: false, expected: 4 },
    { name: 'a character longer than max, not all there yet: wait', input: mixed.subarray(5, 7), max: 1, complete: false, expected: 0 },
    { name: 'a partial character still being written: wait', input: mixed.subarray(5, 7), max: 100, complete: false, expected: 0 },
    // Completed, but these bytes are not the last ones: the rest of the character follows.
    { name: 'a partial character when more is known to follow', input: mixed.subarray(5, 7), max: 2, complete: false, expected: 0 },
    { name: 'a truncated character at the very end goes out', input: mixed.subarray(5, 7), max: 100, complete: true, expected: 2 },
    { name: 'a truncated character after complete ones', input: mixed.subarray(0, 7), max: 100, complete: true, expected: 7 },
    { name: 'max inside the last character, completed', input: mixed, max: 7, complete: true, expected: 5 },
    { name: 'nothing', input: Buffer.alloc(0), max: 5, complete: true, expected: 0 },
  ])('$name', ({ input, max, complete, expected }) => expect(eventLength(input, max, complete)).toBe(expected));
});
