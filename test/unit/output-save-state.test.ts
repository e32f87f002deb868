import { describe, expect, it } from 'vitest';
import { earlierResume, earlierStart, paddingBefore, pieceArrives, piecesPlaced, resumeStream, saveBaseName, type SavedStream } from '../../src/output/save-state.js';

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

describe('earlierResume: the points an earlier run recorded', () => {
  it.each([
    [undefined, { stdout: null, stderr: null }],
    ['not json', { stdout: null, stderr: null }],
    ['{"stdout_bytes": 10}', { stdout: null, stderr: null }], // an older version's summary
    ['{"resume": {"stdout": null, "stderr": {"bytes": 12, "offset": 8}}}', { stdout: null, stderr: { bytes: 12, offset: 8 } }],
    ['{"resume": {"stdout": {"bytes": -1, "offset": 8}, "stderr": {"bytes": 1.5, "offset": 1}}}', { stdout: null, stderr: null }],
    ['{"resume": {"stdout": {"bytes": "12", "offset": 8}}}', { stdout: null, stderr: null }],
    ['{"resume": [1, 2]}', { stdout: null, stderr: null }],
  ])('%j → %j', (text, expected) => {
    expect(earlierResume(text)).toEqual(expected);
  });
});

describe('resumeStream: where a rerun starts from a file and its recorded point', () => {
  it.each([
    { name: 'no point (first run, older version): the size', size: 100, saved: null, state: { size: 100, settled: { bytes: 100, offset: 100 }, tracked: false } },
    { name: 'a point at the end of the file', size: 130, saved: { bytes: 130, offset: 100 }, state: { size: 130, settled: { bytes: 130, offset: 100 }, tracked: true } },
    { name: 'bytes after the point are cut (written, not yet placed)', size: 150, saved: { bytes: 130, offset: 100 }, state: { size: 130, settled: { bytes: 130, offset: 100 }, tracked: true } },
    { name: 'a file shorter than its point: changed by something else', size: 120, saved: { bytes: 130, offset: 100 }, state: undefined },
  ])('$name', ({ size, saved, state }) => {
    expect(resumeStream(size, saved)).toEqual(state);
  });
});

describe('pieceArrives and piecesPlaced: the point recorded never runs ahead of the file', () => {
  const identity = (size: number): SavedStream => ({ size, settled: { bytes: size, offset: size }, tracked: false });
  it.each([
    {
      name: 'valid text while untracked: nothing recorded',
      state: identity(10),
      piece: { offset: 10, length: 5, replaced: false },
      expected: { state: { size: 15, settled: { bytes: 10, offset: 10 }, tracked: false }, padding: 0, record: false },
    },
    {
      name: 'the first U+FFFD text: the point before it is recorded first',
      state: identity(10),
      piece: { offset: 10, length: 9, replaced: true },
      expected: { state: { size: 19, settled: { bytes: 10, offset: 10 }, tracked: true }, padding: 0, record: true },
    },
    {
      name: 'a gap before it: padded, and the point is after the padding',
      state: identity(10),
      piece: { offset: 14, length: 9, replaced: true },
      expected: { state: { size: 23, settled: { bytes: 14, offset: 14 }, tracked: true }, padding: 4, record: true },
    },
    {
      name: 'tracked: after unplaced U+FFFD text, a piece within its reach is not a gap',
      state: { size: 30, settled: { bytes: 21, offset: 15 }, tracked: true },
      piece: { offset: 18, length: 4, replaced: false }, // the 9 bytes of text stood for 3
      expected: { state: { size: 34, settled: { bytes: 21, offset: 15 }, tracked: true }, padding: 0, record: false },
    },
    {
      name: 'tracked: a piece past what the file can reach follows a gap',
      state: { size: 30, settled: { bytes: 21, offset: 15 }, tracked: true },
      piece: { offset: 26, length: 4, replaced: false },
      expected: { state: { size: 36, settled: { bytes: 21, offset: 15 }, tracked: true }, padding: 2, record: false },
    },
  ])('$name', ({ state, piece, expected }) => {
    expect(pieceArrives(state, piece)).toEqual(expected);
  });

  it.each([
    { name: 'untracked: the point moves, nothing recorded', state: { size: 15, settled: { bytes: 10, offset: 10 }, tracked: false }, position: 15, unplaced: 0, settled: { bytes: 15, offset: 15 }, record: false },
    { name: 'tracked: the point moves to the end of the file', state: { size: 19, settled: { bytes: 10, offset: 10 }, tracked: true }, position: 13, unplaced: 0, settled: { bytes: 19, offset: 13 }, record: true },
    { name: 'tracked: text not yet placed stays after the point', state: { size: 19, settled: { bytes: 10, offset: 10 }, tracked: true }, position: 10, unplaced: 9, settled: { bytes: 10, offset: 10 }, record: false },
    { name: 'tracked: placed up to the unplaced text', state: { size: 30, settled: { bytes: 10, offset: 10 }, tracked: true }, position: 14, unplaced: 9, settled: { bytes: 21, offset: 14 }, record: true },
  ])('$name', ({ state, position, unplaced, settled, record }) => {
    const placed = piecesPlaced(state, position, unplaced);
    expect(placed.state.settled).toEqual(settled);
    expect(placed.record).toBe(record);
    expect(placed.state.settled.bytes).toBeLessThanOrEqual(placed.state.size);
  });
});
