import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acceptChunk, createCursor, decideMeaning, endConnection, startConnection, type Chunk, type CursorState, type OffsetMeaning } from '../../src/stream/cursor.js';
import { characterStart, eventLength } from '../../src/emulator/utf8.js';
import { originalRange, splitAfterOriginal, suffixSplits } from '../../src/stream/replaced-text.js';

/** What the service sends for original bytes [from, to): their text, U+FFFD for what is not UTF-8. */
function served(original: Buffer, from: number, to: number, meaning: OffsetMeaning): Chunk {
  return { bytes: Buffer.from(original.subarray(from, to).toString('utf8'), 'utf8'), offset: meaning === 'end' ? to : from };
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('replaced text', () => {
  it.each([
    ['abc', 3, 3],
    ['a\ufffdb', 3, 5],
    ['\ufffd\ufffd', 2, 6],
  ])('%j stands for %i to %i bytes', (text, min, max) => {
    expect(originalRange(Buffer.from(text))).toEqual({ min, max });
  });

  it('splits only where no U+FFFD comes first', () => {
    expect(splitAfterOriginal(Buffer.from('ab\ufffdc'), 2)).toBe(2);
    expect(splitAfterOriginal(Buffer.from('a\ufffdbc'), 2)).toBeUndefined();
  });

  it('finds every split of a suffix', () => {
    const text = Buffer.from('\ufffd\ufffdab');
    expect(suffixSplits(text, 2, () => true)).toEqual([6]);
    expect(suffixSplits(text, 3, () => true)).toEqual([3]); // U+FFFD as 1 byte
    expect(suffixSplits(text, 5, () => true)).toEqual([3, 0]); // one U+FFFD of 3 bytes, or two of 1 and 2
    expect(suffixSplits(text, 4, () => true)).toEqual([3, 0]);
    expect(suffixSplits(text, 4, (index) => index > 0)).toEqual([3]);
  });
});

describe('cursor: U+FFFD chunks (bytes that were not UTF-8)', () => {
  const original = Buffer.concat([latin1('caf\xe9\n'), Buffer.from('café €\n'), latin1('\xff\xfe'), Buffer.from([0xe2, 0x82]), latin1('ok\n')]);
  const text = Buffer.from(original.toString('utf8'));

  it.each(['end', 'start'] as const)('%s offsets: the text as received, the cursor at the service offset', (meaning) => {
    let state = startConnection(createCursor(0, meaning));
    const out: Buffer[] = [];
    const cuts = [0, 5, 15, 17, 19, original.length];
    let replaced = false;
    for (let i = 1; i < cuts.length; i++) {
      const [next, placement] = acceptChunk(state, served(original, cuts[i - 1] ?? 0, cuts[i] ?? 0, meaning));
      state = next;
      replaced ||= placement.replaced === true;
      expect(placement.gaps).toEqual([]);
      expect(placement.duplicateBytes).toBe(0);
      out.push(...placement.writes.map((w) => w.bytes));
    }
    expect(Buffer.concat(out).toString()).toBe(text.toString());
    expect(state.position).toBe(original.length);
    expect(replaced).toBe(true);
  });

  it('start offsets: a last chunk holding U+FFFD waits for its end; the same text sent again is not written twice', () => {
    let state = startConnection(createCursor(0, 'start'));
    [state] = acceptChunk(state, served(original, 0, 3, 'start'));
    const [next, placement] = acceptChunk(state, served(original, 3, 5, 'start'));
    expect(Buffer.concat(placement.writes.map((w) => w.bytes)).toString()).toBe('\ufffd\n');
    expect(next.position).toBe(3); // where the unresolved text starts: the offset to ask from
    const [again, resent] = acceptChunk(startConnection(next), served(original, 3, 5, 'start'));
    expect(resent.writes).toEqual([]);
    const [after, more] = acceptChunk(again, served(original, 5, 8, 'start'));
    expect(Buffer.concat(more.writes.map((w) => w.bytes)).toString()).toBe('caf');
    expect(after.position).toBe(8);
  });

  it('end offsets: a resend of a U+FFFD is recognised by the text last written', () => {
    // Written: "caf\xe9\n" (5 bytes). Asked again from 5, the service resends from 3.
    let state = startConnection(createCursor(0, 'end'));
    [state] = acceptChunk(state, served(original, 0, 5, 'end'));
    state = startConnection(state);
    const [next, placement] = acceptChunk(state, served(original, 3, 10, 'end'));
    expect(placement.duplicateBytes).toBe(4); // U+FFFD and \n, as text
    expect(Buffer.concat(placement.writes.map((w) => w.bytes)).toString()).toBe('café');
    expect(next.position).toBe(10);
  });

  it('detects the meaning through U+FFFD chunks', () => {
    for (const meaning of ['end', 'start'] as const) {
      const state = startConnection(createCursor(0));
      const [next] = acceptChunk(state, served(original, 0, 5, meaning));
      expect(next.meaning).toBe(meaning);
    }
  });

  it('a meaning decided elsewhere places what is held', () => {
    // Fixed 4-byte chunks from 9 when 10 was asked: fits 'start' (one byte resent) and 'end'.
    const plain = Buffer.from('0123456789abcdefghijklmnop');
    let state = startConnection(createCursor(10));
    [state] = acceptChunk(state, { bytes: plain.subarray(9, 13), offset: 13 });
    [state] = acceptChunk(state, { bytes: plain.subarray(13, 17), offset: 17 });
    expect(state.held.length).toBe(2);
    const [decided, placement] = decideMeaning(state, 'end');
    expect(Buffer.concat(placement.writes.map((w) => w.bytes)).toString()).toBe('abcdefg'.slice(0, 7));
    expect(decided.position).toBe(17);
  });
});

describe('cursor: property: bytes that are not UTF-8, cuts and resends, both meanings', () => {
  const piece = fc.constantFrom(latin1('a'), latin1('\n'), Buffer.from('é'), Buffer.from('€'), Buffer.from('😀'), latin1('\xe9'), latin1('\xff'), Buffer.from([0xe2, 0x82]), Buffer.from([0xf0, 0x9f]));
  const source = fc.array(piece, { minLength: 1, maxLength: 80 }).map((parts) => Buffer.concat(parts));
  const step = fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 12 }));

  it.each(['end', 'start'] as const)('meaning %s: the output is the service text, exactly once', (meaning) => {
    fc.assert(
      fc.property(source, fc.array(step, { minLength: 1, maxLength: 40 }), (original, plan) => {
        const expected = Buffer.from(original.toString('utf8'));
        let state: CursorState = createCursor();
        const out: Buffer[] = [];
        let at = 0; // where the service is
        let finished = false;
        let reconnected = false;
        for (let i = 0; i < 400 && !finished; i++) {
          const [size, action, resend] = plan[i % plan.length] ?? [8, 0, 0];
          // A connection brings two chunks at least: under 'start' the second tells where the first ended.
          if ((action === 0 && !reconnected) || i === 0) {
            reconnected = true;
            state = startConnection(state);
            // A new connection from the cursor, maybe resending, always from a character start.
            const wanted = Math.max(0, state.position - (i % 3 === 0 ? 0 : resend));
            at = characterStart(wanted, original.subarray(Math.max(0, wanted - 3), wanted), original[wanted]);
          }
          else reconnected = false;
          // A reconnect delivers past what it resends, or the model would never progress.
          const take = eventLength(original.subarray(at), reconnected ? Math.max(size, state.position - at + 1) : size, true);
          const chunk = served(original, at, at + take, meaning);
          at += take;
          const [next, placement] = acceptChunk(state, chunk);
          state = next;
          expect(placement.gaps).toEqual([]);
          out.push(...placement.writes.map((w) => w.bytes));
          if (placement.unplaceable === true) {
            state = startConnection(state); // the caller asks again
            at = state.position;
            at = characterStart(at, original.subarray(Math.max(0, at - 3), at), original[at]);
            continue;
          }
          if (at >= original.length) {
            const [ended, rest] = endConnection(state);
            state = ended;
            out.push(...rest.writes.map((w) => w.bytes));
            finished = Buffer.concat(out).length >= expected.length;
            state = startConnection(state);
            at = state.position;
          }
        }
        expect(Buffer.concat(out).toString('hex')).toBe(expected.toString('hex'));
        expect(state.position).toBeLessThanOrEqual(original.length);
      }),
      { numRuns: 300 },
    );
  });
});
