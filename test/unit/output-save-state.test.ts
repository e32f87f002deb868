import { describe, expect, it } from 'vitest';
import { earlierStart, paddingBefore, saveBaseName } from '../../src/output/save-state.js';

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

describe('paddingBefore: NUL bytes that keep a file at the stream offsets', () => {
  it.each([
    { expected: 0, offset: 0, padding: 0 },
    { expected: 10, offset: 10, padding: 0 },
    { expected: 10, offset: 14, padding: 4 }, // a gap the service cannot fill
    { expected: 12, offset: 10, padding: 0 }, // after a text longer than its bytes (U+FFFD): nothing to pad
  ])('next expected at $expected, piece at $offset → $padding', ({ expected, offset, padding }) => {
    expect(paddingBefore(expected, offset)).toBe(padding);
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
