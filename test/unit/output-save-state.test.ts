import { describe, expect, it } from 'vitest';
import { earlierStart, placeSaved, saveBaseName } from '../../src/output/save-state.js';

describe('saveBaseName: an execution id as one safe file name', () => {
  it.each([
    ['exn_2yQx91', 'exn_2yQx91'],
    ['a-b.c', 'a-b.c'],
    ['../../etc/passwd', '%2E.%2F..%2Fetc%2Fpasswd'],
    ['..', '%2E.'],
    ['.hidden', '%2Ehidden'],
    ['a/b', 'a%2Fb'],
    ['a\\b', 'a%5Cb'],
    ['x\x1b]0;t\x07', 'x%1B%5D0%3Bt%07'],
    ['nul\0', 'nul%00'],
    ['50%', '50%25'],
    ['exn:1', 'exn%3A1'],
    ['é', '%C3%A9'],
  ])('%j → %s', (id, name) => {
    expect(saveBaseName(id)).toBe(name);
  });

  it('refuses an empty id and one whose name would be too long', () => {
    expect(saveBaseName('')).toBeUndefined();
    expect(saveBaseName('x'.repeat(201))).toBeUndefined();
    expect(saveBaseName('/'.repeat(67))).toBeUndefined();
  });

  it('never yields a separator, a dot-only name or a control character, and keeps ids apart', () => {
    const ids = ['a/b', 'a%2Fb', 'a.b', '.', '..', '...', 'a\nb', 'a b'];
    const names = ids.map(saveBaseName);
    for (const name of names) {
      expect(name).toBeDefined();
      expect(name).not.toMatch(/[/\\\0-\x1f\x7f]/);
      expect(name).not.toMatch(/^\./);
    }
    expect(new Set(names).size).toBe(ids.length);
  });
});

describe('placeSaved: where a piece goes in a file of a given size', () => {
  it.each([
    { size: 0, offset: 0, length: 5, expected: { padding: 0, skip: 0 } },
    { size: 10, offset: 10, length: 5, expected: { padding: 0, skip: 0 } },
    { size: 10, offset: 14, length: 5, expected: { padding: 4, skip: 0 } }, // a gap: NUL bytes keep the offsets
    { size: 10, offset: 8, length: 5, expected: { padding: 0, skip: 2 } }, // already in the file
    { size: 10, offset: 2, length: 5, expected: { padding: 0, skip: 5 } },
  ])('size $size, piece at $offset of $length', ({ size, offset, length, expected }) => {
    expect(placeSaved(size, offset, length)).toEqual(expected);
  });
});

describe('earlierStart', () => {
  it.each([
    [undefined, undefined],
    ['not json', undefined],
    ['{"started_at": 5}', undefined],
    ['{"started_at": "yesterday-ish"}', undefined],
    ['{"started_at": "2026-12-02T10:00:00.000Z"}', '2026-12-02T10:00:00.000Z'],
  ])('%j → %j', (text, expected) => {
    expect(earlierStart(text)).toBe(expected);
  });
});
