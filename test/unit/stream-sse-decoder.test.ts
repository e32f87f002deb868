import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createParser } from 'eventsource-parser';
import { SseDecoder, SseLimitError } from '../../src/stream/sse-decoder.js';

interface Seen {
  readonly name: string;
  readonly data: string;
}

/** Decodes `pieces` in order with our decoder; data shown as UTF-8 text. */
function decode(pieces: readonly Buffer[], maxEventBytes?: number): { events: Seen[]; comments: number; unfinished: boolean } {
  const events: Seen[] = [];
  let comments = 0;
  const decoder = new SseDecoder((name, data) => events.push({ name, data: data.toString('utf8') }), {
    maxEventBytes,
    onComment: () => comments++,
  });
  for (const piece of pieces) decoder.push(piece);
  const unfinished = decoder.end();
  return { events, comments, unfinished };
}

/** The same stream read the way the `eventsource` package reads it: TextDecoder, then eventsource-parser. */
function oracle(stream: Buffer): Seen[] {
  const events: Seen[] = [];
  const parser = createParser({ onEvent: (event) => events.push({ name: event.event ?? 'message', data: event.data }) });
  const text = new TextDecoder('utf-8').decode(stream); // strips a leading BOM, replaces bad bytes
  // eventsource-parser waits for the byte after a final CR forever; the spec says a CR ends a line.
  parser.feed(text.endsWith('\r') ? `${text}\n` : text);
  return events;
}

/** Splits `bytes` at the given cut points (sorted, deduplicated). */
function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(from, point));
    from = point;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

const b = (text: string) => Buffer.from(text, 'utf8');

describe('SseDecoder: the spec, table by table', () => {
  const rows: { name: string; stream: string; events: Seen[] }[] = [
    { name: 'LF', stream: 'data: a\n\ndata: b\n\n', events: [{ name: 'message', data: 'a' }, { name: 'message', data: 'b' }] },
    { name: 'CRLF', stream: 'data: a\r\n\r\ndata: b\r\n\r\n', events: [{ name: 'message', data: 'a' }, { name: 'message', data: 'b' }] },
    { name: 'CR', stream: 'data: a\r\rdata: b\r\r', events: [{ name: 'message', data: 'a' }, { name: 'message', data: 'b' }] },
    { name: 'mixed line ends', stream: 'data: a\r\ndata: b\rdata: c\n\r\n', events: [{ name: 'message', data: 'a\nb\nc' }] },
    { name: 'BOM', stream: '\ufeffdata: a\n\n', events: [{ name: 'message', data: 'a' }] },
    { name: 'only the first BOM', stream: '\ufeff\ufeffdata: a\n\n', events: [] },
    { name: 'comments', stream: ': hi\n:\ndata: a\n: inside\n\n', events: [{ name: 'message', data: 'a' }] },
    { name: 'multi-line data', stream: 'data: a\ndata:b\ndata:  c\ndata\n\n', events: [{ name: 'message', data: 'a\nb\n c\n' }] },
    { name: 'empty data dispatches', stream: 'data:\n\n', events: [{ name: 'message', data: '' }] },
    { name: 'no data, no event', stream: 'event: x\n\ndata: a\n\n', events: [{ name: 'message', data: 'a' }] },
    { name: 'event names', stream: 'event: update\ndata: a\n\nevent:\ndata: b\n\nevent: error\ndata: c\n\n', events: [
      { name: 'update', data: 'a' },
      { name: 'message', data: 'b' },
      { name: 'error', data: 'c' },
    ] },
    { name: 'id, retry and unknown fields ignored', stream: 'id: 7\nretry: 10\nfoo: bar\n data: no\ndata: a\n\n', events: [{ name: 'message', data: 'a' }] },
    { name: 'unfinished event discarded', stream: 'data: a\n\ndata: b\n', events: [{ name: 'message', data: 'a' }] },
    { name: 'last event ended by CR CR', stream: 'data: a\r\r', events: [{ name: 'message', data: 'a' }] },
    { name: 'colons in the value', stream: 'data: {"a":"b:c"}\n\n', events: [{ name: 'message', data: '{"a":"b:c"}' }] },
  ];

  it.each(rows)('$name, whole', ({ stream, events }) => {
    expect(decode([b(stream)]).events).toEqual(events);
  });

  it.each(rows)('$name, split at every byte', ({ stream, events }) => {
    const bytes = b(stream);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decode(splitAt(bytes, [cut])).events, `cut at ${cut}`).toEqual(events);
    }
    expect(decode(splitAt(bytes, [...bytes.keys()])).events, 'one byte at a time').toEqual(events);
  });

  it.each(rows)('$name, as eventsource-parser reads it', ({ stream, events }) => {
    expect(oracle(b(stream))).toEqual(events);
  });

  it('counts comments (keep-alives)', () => {
    expect(decode([b(': keep-alive\n\n: keep-alive\r\n')]).comments).toBe(2);
  });

  it('says when the body stopped inside an event', () => {
    expect(decode([b('data: a\n\n')]).unfinished).toBe(false);
    expect(decode([b('data: a\n')]).unfinished).toBe(true);
    expect(decode([b('data: {"outp')]).unfinished).toBe(true);
  });

  it('keeps no reference to a pushed buffer (the caller may reuse it)', () => {
    const events: string[] = [];
    const decoder = new SseDecoder((_name, data) => events.push(data.toString()));
    const buffer = Buffer.from('data: abc\ndata: de');
    decoder.push(buffer);
    buffer.fill(0x78);
    decoder.push(Buffer.from('f\n\n'));
    expect(events).toEqual(['abc\ndef']);
  });

  it('refuses a line longer than the cap, whole or in pieces', () => {
    expect(() => decode([b(`data: ${'x'.repeat(100)}\n\n`)], 64)).toThrow(SseLimitError);
    expect(() => decode(splitAt(b(`data: ${'x'.repeat(100)}`), [10, 50, 90]), 64)).toThrow(/longer than 64 bytes/);
  });

  it('refuses an event larger than the cap, even made of short lines', () => {
    const stream = b(`${'data: 0123456789\n'.repeat(10)}\n`);
    expect(() => decode([stream], 64)).toThrow(/larger than 64 bytes/);
    expect(decode([stream], 1024).events[0]?.data.length).toBe(10 * 11 - 1);
  });
});

// A stream made of lines, each with its own line end: the property tests compare our decoder,
// fed in random pieces down to one byte, with eventsource-parser fed the decoded text.
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', ':', 'é', '€', '😀', '"', '\\', '{', '}'), fc.string({ unit: 'grapheme' })) }).map((s) =>
  s.replace(/[\r\n]/g, ''),
);
const invalidUtf8 = fc.constantFrom(Buffer.from([0xe9]), Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]));
const value = fc.tuple(text, fc.option(invalidUtf8, { nil: undefined }), text).map(([a, bad, c]) =>
  bad === undefined ? b(a + c) : Buffer.concat([b(a), bad, b(c)]),
);
const line = fc.oneof(
  value.map((v) => Buffer.concat([b('data: '), v])),
  value.map((v) => Buffer.concat([b('data:'), v])),
  fc.constant(b('data')),
  fc.constantFrom('event: update', 'event: error', 'event:', 'event: x y', 'id: 4', 'retry: 100', 'retry: x', 'foo: bar', ' data: no').map(b),
  text.map((t) => b(`:${t}`)),
  fc.constant(b('')), // a blank line dispatches
);
const stream = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(line, lineEnd), { maxLength: 30 }))
  .map(([bom, lines]) => Buffer.concat([bom ? b('\ufeff') : Buffer.alloc(0), ...lines.flatMap(([l, end]) => [l, b(end)])]));

describe('SseDecoder: eventsource-parser as the oracle', () => {
  it('agrees on random streams in random pieces down to one byte', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(4000)), (bytes, cuts) => {
        expect(decode(splitAt(bytes, cuts)).events).toEqual(oracle(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('agrees when fed one byte at a time', () => {
    fc.assert(
      fc.property(stream, (bytes) => {
        expect(decode(splitAt(bytes, [...bytes.keys()])).events).toEqual(oracle(bytes));
      }),
      { numRuns: 100 },
    );
  });
});
