import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_HELD_BYTES,
  acceptChunk,
  acceptChunkSlowly,
  nextInLine,
  createCursor,
  endConnection,
  startConnection,
  type Chunk,
  type CursorState,
  type OffsetMeaning,
  type Placement,
} from '../../src/stream/cursor.js';

const b = (text: string) => Buffer.from(text, 'utf8');

/** A chunk of `text` whose first byte is at `first`, labelled with the given meaning. */
function chunk(text: string, first: number, meaning: OffsetMeaning): Chunk {
  const bytes = b(text);
  return { bytes, offset: meaning === 'end' ? first + bytes.length : first };
}

interface Outcome {
  written: string;
  gaps: { offset: number; length: number }[];
  duplicateBytes: number;
  state: CursorState;
}

/** Feeds chunks (null = a cut, 'end' = a clean end of the connection) and gathers the result. */
function run(start: CursorState, steps: (Chunk | 'cut' | 'end')[]): Outcome {
  let state = startConnection(start);
  const written: Buffer[] = [];
  const gaps: { offset: number; length: number }[] = [];
  let duplicateBytes = 0;
  const take = ([next, placement]: [CursorState, Placement]) => {
    state = next;
    for (const w of placement.writes) written.push(w.bytes);
    gaps.push(...placement.gaps);
    duplicateBytes += placement.duplicateBytes;
  };
  for (const step of steps) {
    if (step === 'cut') state = startConnection(state);
    else if (step === 'end') {
      take(endConnection(state));
      state = startConnection(state);
    } else take(acceptChunk(state, step));
  }
  return { written: Buffer.concat(written).toString('utf8'), gaps, duplicateBytes, state };
}

describe('cursor: detecting what a chunk offset means', () => {
  const rows: { name: string; meaning: OffsetMeaning }[] = [
    { name: 'end offsets', meaning: 'end' },
    { name: 'start offsets', meaning: 'start' },
  ];
  it.each(rows)('$name from the first chunk at offset 0', ({ meaning }) => {
    const out = run(createCursor(), [chunk('hello ', 0, meaning), chunk('world', 6, meaning)]);
    expect(out.written).toBe('hello world');
    expect(out.state.meaning).toBe(meaning);
    expect(out.state.position).toBe(11);
    expect(out.gaps).toEqual([]);
  });

  it.each(rows)('$name from a later requested offset', ({ meaning }) => {
    const out = run(createCursor(6), [chunk('world', 6, meaning), chunk('!', 11, meaning)]);
    expect(out.written).toBe('world!');
    expect(out.state.meaning).toBe(meaning);
  });

  it('a first chunk ending exactly at the requested offset fits both meanings: held, not taken for start offsets', () => {
    // Under 'end' offsets it is a resend of bytes 1..6; under 'start' offsets, bytes 6..11.
    const held = run(createCursor(6), [chunk('hello', 1, 'end')]);
    expect(held.written).toBe('');
    expect(held.state.meaning).toBeUndefined();
    expect(held.state.held).toHaveLength(1);
    // A clean end with nothing after it (a completed stream resumed at its end): the fallback, 'end'.
    const ended = run(createCursor(6), [chunk('hello', 1, 'end'), 'end']);
    expect(ended.written).toBe('');
    expect(ended.duplicateBytes).toBe(5);
    expect(ended.state.position).toBe(6);
    // The next chunk tells, either way.
    expect(run(createCursor(6), [chunk('hello', 1, 'end'), chunk(' you', 6, 'end')]).written).toBe(' you');
    expect(run(createCursor(6), [chunk('world', 6, 'start'), chunk(' you', 11, 'start')]).written).toBe('world you');
  });

  it.each(rows)('$name with a resend before the requested offset (held until it is clear)', ({ meaning }) => {
    // Asked for 10; the server restarts at 4 with chunks of different sizes.
    const text = '0123456789abcdefghij';
    const out = run(createCursor(10), [chunk(text.slice(4, 12), 4, meaning), chunk(text.slice(12, 15), 12, meaning)]);
    expect(out.written).toBe(text.slice(10, 15));
    expect(out.duplicateBytes).toBe(6);
    expect(out.state.meaning).toBe(meaning);
  });
});

describe('cursor: resends, gaps, empties, multi-byte text', () => {
  const rows: { name: string; meaning: OffsetMeaning; steps: (cursorStart: number) => (Chunk | 'cut' | 'end')[]; start?: number; written: string; gaps?: { offset: number; length: number }[]; duplicates?: number }[] = [
    {
      name: 'resend after reconnect is trimmed (end)',
      meaning: 'end',
      steps: () => [chunk('abc', 0, 'end'), chunk('def', 3, 'end'), 'cut', chunk('cdefgh', 2, 'end')],
      written: 'abcdefgh',
      duplicates: 4,
    },
    {
      name: 'resend after reconnect is trimmed (start)',
      meaning: 'start',
      steps: () => [chunk('abc', 0, 'start'), chunk('def', 3, 'start'), 'cut', chunk('cdefgh', 2, 'start')],
      written: 'abcdefgh',
      duplicates: 4,
    },
    {
      name: 'whole chunk already written is dropped',
      meaning: 'end',
      steps: () => [chunk('abcdef', 0, 'end'), 'cut', chunk('bcd', 1, 'end'), chunk('g', 6, 'end')],
      written: 'abcdefg',
      duplicates: 3,
    },
    {
      name: 'a gap is reported and the output goes on',
      meaning: 'end',
      steps: () => [chunk('abc', 0, 'end'), 'cut', chunk('xyz', 10, 'end')],
      written: 'abcxyz',
      gaps: [{ offset: 3, length: 7 }],
    },
    {
      name: 'a gap under start offsets',
      meaning: 'start',
      steps: () => [chunk('abc', 0, 'start'), 'cut', chunk('xyz', 10, 'start')],
      written: 'abcxyz',
      gaps: [{ offset: 3, length: 7 }],
    },
    {
      name: 'empty chunks change nothing',
      meaning: 'end',
      steps: () => [chunk('', 0, 'end'), chunk('ab', 0, 'end'), chunk('', 2, 'end'), chunk('c', 2, 'end')],
      written: 'abc',
    },
    {
      name: 'multi-byte text counts bytes, not characters (end)',
      meaning: 'end',
      steps: () => [chunk('é€', 0, 'end'), chunk('😀x', 5, 'end'), 'cut', chunk('€😀x', 2, 'end')],
      written: 'é€😀x',
      duplicates: 8,
    },
    {
      name: 'multi-byte text counts bytes, not characters (start)',
      meaning: 'start',
      steps: () => [chunk('é€', 0, 'start'), chunk('😀x', 5, 'start'), 'cut', chunk('😀xy', 5, 'start')],
      written: 'é€😀xy',
      duplicates: 5,
    },
  ];
  it.each(rows)('$name', ({ steps, start, written, gaps, duplicates, meaning }) => {
    const out = run(createCursor(start ?? 0), steps(start ?? 0));
    expect(out.written).toBe(written);
    expect(out.gaps).toEqual(gaps ?? []);
    expect(out.duplicateBytes).toBe(duplicates ?? 0);
    expect(out.state.position).toBe(Buffer.byteLength(written) + (gaps ?? []).reduce((s, g) => s + g.length, 0));
    expect(out.state.meaning).toBe(meaning);
  });

  it('places held chunks with the fallback meaning when the connection ends', () => {
    // Equal-sized chunks after a resend fit both meanings; a clean end forces a decision.
    const out = run(createCursor(10), [chunk('abcd', 8, 'end'), chunk('efgh', 12, 'end'), 'end']);
    expect(out.state.meaning).toBe('end');
    expect(out.state.held).toEqual([]);
    expect(out.written).toBe('cdefgh');
  });

  it('drops held chunks on a cut: they will be resent', () => {
    const out = run(createCursor(10), [chunk('abcd', 8, 'end'), 'cut']);
    expect(out.written).toBe('');
    expect(out.state.position).toBe(10);
    expect(out.state.held).toEqual([]);
  });

  it('bounds what it holds', () => {
    const big = 'x'.repeat(1024 * 1024);
    const steps: Chunk[] = [];
    for (let i = 0; i * big.length <= MAX_HELD_BYTES + big.length; i++) steps.push(chunk(big, 4 + i * big.length, 'end'));
    const out = run(createCursor(10), steps);
    expect(out.state.held).toEqual([]);
    expect(out.state.meaning).toBe('end');
    expect(out.state.position).toBe(4 + steps.length * big.length);
  });
});

describe('cursor: property: any chunking, cuts and resends give the exact bytes once', () => {
  const text = fc.array(fc.constantFrom('a', 'b', 'é', '€', '😀', '\n', '\r', ' '), { minLength: 1, maxLength: 200 }).map((a) => a.join(''));
  it.each(['end', 'start'] as const)('meaning %s', (meaning) => {
    fc.assert(
      fc.property(text, fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 60 }), (source, plan) => {
        const bytes = b(source);
        let state = createCursor();
        const out: Buffer[] = [];
        let served = 0; // where the server is in its stream
        let step = 0;
        while (state.position < bytes.length && step < 10_000) {
          const [size, action, resend] = plan[step % plan.length] ?? [8, 0, 0];
          step++;
          if (action === 0) {
            // reconnect, the server resends up to `resend` bytes before the cursor
            state = startConnection(state);
            served = Math.max(0, state.position - resend);
          }
          // a reconnect delivers past what it resends, or the model would never progress
          const end = Math.min(bytes.length, served + (action === 0 ? Math.max(size, state.position - served + 1) : size));
          const piece = bytes.subarray(served, end);
          const [next, placement] = acceptChunk(state, { bytes: piece, offset: meaning === 'end' ? end : served });
          state = next;
          for (const w of placement.writes) out.push(w.bytes);
          expect(placement.gaps).toEqual([]);
          served = end;
          if (served >= bytes.length && state.position < bytes.length) {
            const [done, rest] = endConnection(state);
            state = startConnection(done);
            for (const w of rest.writes) out.push(w.bytes);
            served = Math.max(0, state.position - resend);
          }
        }
        expect(Buffer.concat(out).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('cursor: the next-in-line fast path places exactly as the general path', () => {
  // Chunks at offsets near the cursor: in line, gaps, resends, overlaps, empties, U+FFFD, both meanings.
  const piece = fc.array(fc.constantFrom('a', 'é', '€', '\uFFFD', '\n'), { maxLength: 12 }).map((a) => b(a.join('')));
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('chunk' as const), piece, fc.integer({ min: -6, max: 6 }), fc.boolean()) },
    { weight: 1, arbitrary: fc.constant(['cut'] as const) },
    { weight: 1, arbitrary: fc.constant(['end'] as const) },
  );
  it('for every chunk, whatever came before', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.constantFrom<OffsetMeaning | undefined>('end', 'start', undefined), fc.array(step, { minLength: 1, maxLength: 40 }), (meaning, steps) => {
        let state = createCursor(0, meaning);
        for (const action of steps) {
          if (action[0] === 'cut') {
            state = startConnection(state);
            continue;
          }
          if (action[0] === 'end') {
            state = startConnection(endConnection(state)[0]);
            continue;
          }
          const [, bytes, shift, inLine] = action;
          // In line with the cursor under the state's meaning (or 'end' while undecided), or shifted off it.
          const first = state.position + (inLine ? 0 : shift);
          const offset = (state.meaning ?? 'end') === 'end' ? first + bytes.length : first;
          if (offset < 0) continue;
          const chunk = { bytes, offset };
          if (state.meaning !== undefined && nextInLine(state, chunk, state.meaning) !== undefined) fast++;
          const expected = acceptChunkSlowly(state, chunk);
          expect(acceptChunk(state, chunk)).toEqual(expected);
          state = expected[0];
        }
      }),
      { numRuns: 2000 },
    );
    expect(fast).toBeGreaterThan(1000);
  });
});
