import { describe, expect, it } from 'vitest';
import { lastLines } from '../../src/emulator/view.js';

describe('lastLines', () => {
  it.each([
    { text: '', lines: 3, expected: '' },
    { text: 'a\nb\nc\n', lines: 2, expected: 'b\nc\n' },
    { text: 'a\nb\nc', lines: 2, expected: 'b\nc' },
    { text: 'a\nb\nc\n', lines: 5, expected: 'a\nb\nc\n' },
    { text: 'a\nb\nc\n', lines: 0, expected: '' },
    { text: '\n\n\n', lines: 2, expected: '\n\n' },
  ])('$lines of $text', ({ text, lines, expected }) => expect(lastLines(text, lines)).toBe(expected));
});
