import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineAssembler, type AssembledLine, type LineTerminator } from '../../src/render/line-assembler.js';

interface Row {
  name: string;
  chunks: (string | number[])[];
  start?: number;
  cap?: number;
  expected: [text: string, offset: number, terminator: LineTerminator, partial: boolean][];
}

const bytesOf = (chunk: string | number[]): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
const euro = [0xe2, 0x82, 0xac];

/** Pushes contiguous chunks from `start`, flushes at the end, and returns every line. */
function run(chunks: Buffer[], options: { start?: number; cap?: number } = {}): AssembledLine[] {
  const assembler = createLineAssembler(options.cap === undefined ? {} : { maxLineBytes: options.cap });
  const lines: AssembledLine[] = [];
  let offset = options.start ?? 0;
  for (const chunk of chunks) {
    lines.push(...assembler.push(chunk, offset));
    offset += chunk.length;
  }
  lines.push(...assembler.flush());
  expect(assembler.pending()).toBe(false);
  return lines;
}

const simplify = (lines: AssembledLine[]) => lines.map((l) => [l.bytes.toString('latin1'), l.offset, l.terminator, l.partial]);
const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('line assembler: table', () => {
  const rows: Row[] = [
    { name: 'one LF line', chunks: ['hello\n'], expected: [['hello\n', 0, 'lf', false]] },
    { name: 'two lines in one chunk', chunks: ['a\nbc\n'], expected: [['a\n', 0, 'lf', false], ['bc\n', 2, 'lf', false]] },
    { name: 'line split over chunks', chunks: ['hel', 'lo\nwor', 'ld\n'], expected: [['hello\n', 0, 'lf', false], ['world\n', 6, 'lf', false]] },
    { name: 'CRLF kept', chunks: ['a\r\nb\r\n'], expected: [['a\r\n', 0, 'crlf', false], ['b\r\n', 3, 'crlf', false]] },
    { name: 'CRLF split between chunks', chunks: ['a\r', '\nb'], expected: [['a\r\n', 0, 'crlf', false], ['b', 3, 'none', true]] },
    { name: 'CR alone in a chunk, then LF', chunks: ['a', '\r', '\n'], expected: [['a\r\n', 0, 'crlf', false]] },
    {
      name: 'lone CR progress redraws',
      chunks: ['10%\r20%\r30%\n'],
      expected: [['10%\r', 0, 'cr', false], ['20%\r', 4, 'cr', false], ['30%\n', 8, 'lf', false]],
    },
    { name: 'CR at chunk end, next chunk not LF', chunks: ['10%\r', '20%\n'], expected: [['10%\r', 0, 'cr', false], ['20%\n', 4, 'lf', false]] },
    { name: 'CR at the very end is flushed as a partial CR line', chunks: ['done\r'], expected: [['done\r', 0, 'cr', true]] },
    { name: 'no final newline', chunks: ['a\nlast'], expected: [['a\n', 0, 'lf', false], ['last', 2, 'none', true]] },
    { name: 'empty lines', chunks: ['\n\n'], expected: [['\n', 0, 'lf', false], ['\n', 1, 'lf', false]] },
    { name: 'LF then CR is two terminators', chunks: ['a\n\rb\n'], expected: [['a\n', 0, 'lf', false], ['\r', 2, 'cr', false], ['b\n', 3, 'lf', false]] },
    { name: 'CR CR LF', chunks: ['a\r\r\n'], expected: [['a\r', 0, 'cr', false], ['\r\n', 2, 'crlf', false]] },
    {
      name: 'multi-byte characters split byte by byte',
      chunks: [...Buffer.from('é€😀\n')].map((b) => [b]),
      expected: [[latin1('é€😀\n'), 0, 'lf', false]],
    },
    { name: 'starting offset', start: 100, chunks: ['abcde\nfg\n'], expected: [['abcde\n', 100, 'lf', false], ['fg\n', 106, 'lf', false]] },
    { name: 'nothing pushed', chunks: [], expected: [] },
    { name: 'empty chunk', chunks: ['', 'a\n', ''], expected: [['a\n', 0, 'lf', false]] },
    {
      name: 'cap: long line in pieces, the last one carries the terminator',
      cap: 4,
      chunks: ['abcdefghij\n'],
      expected: [['abcd', 0, 'none', true], ['efgh', 4, 'none', true], ['ij\n', 8, 'lf', false]],
    },
    { name: 'cap: exactly the cap is one line', cap: 4, chunks: ['abcd\r\n'], expected: [['abcd\r\n', 0, 'crlf', false]] },
    {
      name: 'cap: pieces cut while held, across chunks',
      cap: 4,
      chunks: ['ab', 'cdef', 'gh'],
      expected: [['abcd', 0, 'none', true], ['efgh', 4, 'none', true]],
    },
    {
      name: 'cap: backs off to a character boundary',
      cap: 4,
      chunks: [[0x61, 0x62, ...euro, 0x63, 0x64, 0x0a]],
      expected: [['ab', 0, 'none', true], [latin1('€c'), 2, 'none', true], ['d\n', 6, 'lf', false]],
    },
    {
      name: 'cap: a 4-byte character at the cut',
      cap: 5,
      chunks: ['abc😀d\n'],
      expected: [['abc', 0, 'none', true], [latin1('😀d\n'), 3, 'lf', false]],
    },
    {
      name: 'cap: invalid run of continuation bytes is cut at the cap',
      cap: 4,
      chunks: [[0x61, 0x80, 0x80, 0x80, 0x80, 0x80, 0x0a]],
      expected: [['a\x80\x80\x80', 0, 'none', true], ['\x80\x80\n', 4, 'lf', false]],
    },
    {
      name: 'cap: a held CR does not count against the content',
      cap: 4,
      chunks: ['abcd\r', '\n'],
      expected: [['abcd\r\n', 0, 'crlf', false]],
    },
  ];

  it.each(rows)('$name', ({ chunks, start, cap, expected }) => {
    expect(simplify(run(chunks.map(bytesOf), { start, cap }))).toEqual(expected);
  });
});

describe('line assembler: state', () => {
  it('pending tells whether a partial line is held', () => {
    const assembler = createLineAssembler();
    expect(assembler.pending()).toBe(false);
    assembler.push(Buffer.from('abc'), 0);
    expect(assembler.pending()).toBe(true);
    assembler.push(Buffer.from('\n'), 3);
    expect(assembler.pending()).toBe(false);
    assembler.push(Buffer.from('x\r'), 4);
    expect(assembler.pending()).toBe(true);
  });

  it('a quiet-spell flush hands out the partial line and pushing continues after it', () => {
    const assembler = createLineAssembler();
    expect(assembler.push(Buffer.from('abc'), 0)).toEqual([]);
    expect(simplify(assembler.flush())).toEqual([['abc', 0, 'none', true]]);
    expect(assembler.flush()).toEqual([]);
    expect(simplify(assembler.push(Buffer.from('def\n'), 3))).toEqual([['def\n', 3, 'lf', false]]);
  });

  it('a flushed lone CR followed later by LF gives an LF-only line', () => {
    const assembler = createLineAssembler();
    assembler.push(Buffer.from('50%\r'), 0);
    expect(simplify(assembler.flush())).toEqual([['50%\r', 0, 'cr', true]]);
    expect(simplify(assembler.push(Buffer.from('\n'), 4))).toEqual([['\n', 4, 'lf', false]]);
  });

  it('a discontinuity ends the held line as partial instead of gluing across it', () => {
    const assembler = createLineAssembler();
    assembler.push(Buffer.from('abc'), 0);
    expect(simplify(assembler.push(Buffer.from('def\n'), 10))).toEqual([['abc', 0, 'none', true], ['def\n', 10, 'lf', false]]);
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const backing = new Uint8Array(Buffer.from('xxab\ncdyy'));
    const view = backing.subarray(2, 7);
    expect(simplify(run([view as Buffer]))).toEqual([['ab\n', 0, 'lf', false], ['cd', 3, 'none', true]]);
  });

  it('rejects a cap that cannot hold a character', () => {
    expect(() => createLineAssembler({ maxLineBytes: 3 })).toThrow(RangeError);
  });

  it('bounds memory on a huge line: every piece is at most the cap', () => {
    const cap = 64 * 1024;
    const assembler = createLineAssembler({ maxLineBytes: cap });
    const chunk = Buffer.alloc(9_999, '€');
    let offset = 0;
    let total = 0;
    let largest = 0;
    for (let i = 0; i < 800; i++) {
      for (const line of assembler.push(chunk, offset)) {
        total += line.bytes.length;
        largest = Math.max(largest, line.bytes.length);
        expect(isUtf8(line.bytes)).toBe(true);
      }
      offset += chunk.length;
    }
    for (const line of assembler.flush()) total += line.bytes.length;
    expect(total).toBe(offset);
    expect(largest).toBeLessThanOrEqual(cap);
    expect(largest).toBeGreaterThan(cap - 3);
  });
});

// Inputs rich in what matters: terminators, multi-byte characters, and arbitrary (invalid) bytes.
const token = fc.oneof(
  fc.constantFrom('\n', '\r', '\r\n', 'a', 'bc', ' ', 'é', '€', '😀').map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a)),
);
const streamBytes = fc.array(token, { maxLength: 60 }).map((parts) => Buffer.concat(parts));
const validUtf8Bytes = fc
  .array(fc.constantFrom('\n', '\r', '\r\n', 'a', 'é', '€', '😀', 'xyz'), { maxLength: 60 })
  .map((parts) => Buffer.from(parts.join('')));

/** Splits `bytes` at the given (unsorted, possibly repeated) cut points. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

/** An independent, obviously-correct model of the split with no cap: whole input at once. */
function modelLines(bytes: Buffer, start: number): [string, number, LineTerminator, boolean][] {
  const text = bytes.toString('latin1');
  const out: [string, number, LineTerminator, boolean][] = [];
  const re = /[^\r\n]*(\r\n|\n|\r)/gy;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const term = m[1] === '\r\n' ? 'crlf' : m[1] === '\n' ? 'lf' : 'cr';
    // A CR as the very last byte is only known to be a CR at flush time.
    const atEnd = re.lastIndex === text.length && term === 'cr';
    out.push([m[0], start + at, term, atEnd]);
    at = re.lastIndex;
  }
  if (at < text.length) out.push([text.slice(at), start + at, 'none', true]);
  return out;
}

describe('line assembler: properties', () => {
  const cuts = fc.array(fc.nat(), { maxLength: 12 });
  const cap = fc.oneof(fc.integer({ min: 4, max: 12 }), fc.constant(1 << 20));

  it('concatenating the lines gives exactly the pushed bytes, at contiguous offsets', () => {
    fc.assert(
      fc.property(streamBytes, cuts, cap, fc.nat({ max: 1e9 }), (bytes, cutPoints, maxLineBytes, start) => {
        const lines = run(chunked(bytes, cutPoints), { cap: maxLineBytes, start });
        expect(Buffer.concat(lines.map((l) => l.bytes)).equals(bytes)).toBe(true);
        let offset = start;
        for (const line of lines) {
          expect(line.offset).toBe(offset);
          expect(line.bytes.length).toBeGreaterThan(0);
          offset += line.bytes.length;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the chunking does not change the lines', () => {
    fc.assert(
      fc.property(streamBytes, cuts, cap, (bytes, cutPoints, maxLineBytes) => {
        expect(simplify(run(chunked(bytes, cutPoints), { cap: maxLineBytes }))).toEqual(simplify(run([bytes], { cap: maxLineBytes })));
      }),
      { numRuns: 500 },
    );
  });

  it('without the cap, lines match a regex model of the whole input', () => {
    fc.assert(
      fc.property(streamBytes, cuts, (bytes, cutPoints) => {
        expect(simplify(run(chunked(bytes, cutPoints), { start: 7 }))).toEqual(modelLines(bytes, 7));
      }),
      { numRuns: 500 },
    );
  });

  it('lines are well formed: terminator matches the bytes, no terminator inside, cap respected', () => {
    fc.assert(
      fc.property(streamBytes, cuts, cap, (bytes, cutPoints, maxLineBytes) => {
        for (const line of run(chunked(bytes, cutPoints), { cap: maxLineBytes })) {
          const text = line.bytes.toString('latin1');
          const ending = { lf: '\n', crlf: '\r\n', cr: '\r', none: '' }[line.terminator];
          expect(text.endsWith(ending)).toBe(true);
          const content = text.slice(0, text.length - ending.length);
          expect(content).not.toMatch(/[\r\n]/);
          if (line.terminator === 'lf') expect(content.endsWith('\r')).toBe(false);
          if (line.terminator === 'none') expect(line.partial).toBe(true);
          expect(content.length).toBeLessThanOrEqual(maxLineBytes);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('valid UTF-8 is never cut inside a character, even by the cap', () => {
    fc.assert(
      fc.property(validUtf8Bytes, cuts, fc.integer({ min: 4, max: 9 }), (bytes, cutPoints, maxLineBytes) => {
        for (const line of run(chunked(bytes, cutPoints), { cap: maxLineBytes })) expect(isUtf8(line.bytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
