import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineAssembler } from '../../src/render/line-assembler.js';
import { createLineRing, type StreamRun } from '../../src/render/line-ring.js';

/** Feeds contiguous chunks from `start` and drains. */
function tail(lines: number, chunks: readonly (string | Buffer)[], options: { start?: number; cap?: number } = {}): StreamRun[] {
  const ring = createLineRing(lines, options.cap === undefined ? {} : { maxLineBytes: options.cap });
  let offset = options.start ?? 0;
  for (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    ring.push(bytes, offset);
    offset += bytes.length;
  }
  return ring.drain();
}

const text = (runs: StreamRun[]) => runs.map((run) => [run.bytes.toString('utf8'), run.offset]);

describe('line ring: table', () => {
  const rows: { name: string; lines: number; chunks: string[]; start?: number; cap?: number; expected: [string, number][] }[] = [
    { name: 'fewer lines than asked', lines: 3, chunks: ['a\nb\n'], expected: [['a\nb\n', 0]] },
    { name: 'exactly the last three', lines: 3, chunks: ['1\n2\n3\n4\n5\n'], expected: [['3\n4\n5\n', 4]] },
    { name: 'a final line without newline counts', lines: 3, chunks: ['1\n2\n3\n4\n5'], expected: [['3\n4\n5', 4]] },
    { name: 'lines split across chunks', lines: 2, chunks: ['on', 'e\ntw', 'o\nthr', 'ee\n'], expected: [['two\nthree\n', 4]] },
    { name: 'many chunks of one line each', lines: 2, chunks: ['a\n', 'b\n', 'c\n', 'd\n'], expected: [['c\nd\n', 4]] },
    { name: 'zero lines holds nothing', lines: 0, chunks: ['a\nb\n', 'c'], expected: [] },
    { name: 'nothing pushed', lines: 5, chunks: [], expected: [] },
    { name: 'CRLF lines', lines: 2, chunks: ['a\r\nb\r\nc\r\n'], expected: [['b\r\nc\r\n', 3]] },
    { name: 'CRLF split between chunks', lines: 1, chunks: ['a\r', '\nb\r', '\n'], expected: [['b\r\n', 3]] },
    { name: 'a lone CR ends a line as in the views', lines: 2, chunks: ['10%\r20%\r30%\r'], expected: [['20%\r30%\r', 4]] },
    { name: 'offsets from a resume point', lines: 1, chunks: ['x\ny\n'], start: 100, expected: [['y\n', 102]] },
    { name: 'an over-long line counts a line per piece', lines: 2, chunks: ['abcdefghij\n'], cap: 4, expected: [['efghij\n', 4]] },
    { name: 'empty lines count', lines: 3, chunks: ['a\n\n\n\n'], expected: [['\n\n\n', 2]] },
  ];
  it.each(rows)('$name', ({ lines, chunks, start, cap, expected }) => {
    expect(text(tail(lines, chunks, { start, cap }))).toEqual(expected);
  });

  it('drains once: a second drain is empty and pushing starts over', () => {
    const ring = createLineRing(2);
    ring.push(Buffer.from('a\nb\nc\n'), 0);
    expect(text(ring.drain())).toEqual([['b\nc\n', 2]]);
    expect(ring.drain()).toEqual([]);
    ring.push(Buffer.from('d\n'), 6);
    expect(text(ring.drain())).toEqual([['d\n', 6]]);
  });

  it('a gap in the stream gives two runs', () => {
    const ring = createLineRing(3);
    ring.push(Buffer.from('a\nb\n'), 0);
    ring.push(Buffer.from('c\n'), 10);
    expect(text(ring.drain())).toEqual([
      ['a\nb\n', 0],
      ['c\n', 10],
    ]);
  });

  it('does not keep the pushed chunks alive (its lines are copies)', () => {
    const ring = createLineRing(1);
    const chunk = Buffer.from('first\nsecond\n');
    ring.push(chunk, 0);
    chunk.fill(0x21);
    expect(text(ring.drain())).toEqual([['second\n', 6]]);
  });
});

/** The reference: every line the views would show, the last `lines` of them, concatenated. */
function reference(lines: number, chunks: readonly Buffer[], cap: number): { bytes: Buffer; offset: number } {
  const assembler = createLineAssembler({ maxLineBytes: cap });
  const all = [];
  let offset = 0;
  for (const chunk of chunks) {
    all.push(...assembler.push(chunk, offset));
    offset += chunk.length;
  }
  all.push(...assembler.flush());
  const kept = lines === 0 ? [] : all.slice(-lines);
  return { bytes: Buffer.concat(kept.map((line) => line.bytes)), offset: kept[0]?.offset ?? 0 };
}

describe('line ring: properties', () => {
  // Bytes rich in line ends (LF, CR, CRLF) and multi-byte characters, cut anywhere.
  const piece = fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', '€', '😀', 'long line text ', '\n\n');
  const stream = fc.array(piece, { maxLength: 200 }).map((parts) => Buffer.from(parts.join(''), 'utf8'));
  const cuts = fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 20 });

  it('holds exactly the last N lines the views would show, however the stream is chunked', () => {
    fc.assert(
      fc.property(stream, cuts, fc.integer({ min: 0, max: 12 }), fc.integer({ min: 4, max: 40 }), (bytes, cutList, lines, cap) => {
        const points = [...new Set(cutList.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let at = 0;
        for (const point of [...points, bytes.length]) {
          chunks.push(bytes.subarray(at, point));
          at = point;
        }
        const runs = tail(lines, chunks, { cap });
        const expected = reference(lines, chunks, cap);
        expect(runs.length).toBeLessThanOrEqual(1);
        expect(Buffer.concat(runs.map((r) => r.bytes)).equals(expected.bytes)).toBe(true);
        if (runs[0]) expect(runs[0].offset).toBe(expected.offset);
        // The run ends where the stream ends: nothing after it is lost.
        if (runs[0]) expect(runs[0].offset + runs[0].bytes.length).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });
});
