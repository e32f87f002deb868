import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkedBody, ChunkedBodyError } from '../../src/api/chunked-body.js';

/** Feeds `wire` in pieces cut at `cuts`; the data bytes, where the body ended (or -1) and the error, if any. */
function run(wire: Buffer, cuts: readonly number[] = []): { data: Buffer; endedAt: number; error?: string } {
  const body = new ChunkedBody();
  const parts: Buffer[] = [];
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < wire.length), wire.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] as number;
    const to = points[i + 1] as number;
    try {
      const at = body.read(wire, from, to, (a, b) => {
        expect(a).toBeGreaterThanOrEqual(from);
        expect(b).toBeLessThanOrEqual(to);
        parts.push(wire.subarray(a, b));
      });
      if (body.done) return { data: Buffer.concat(parts), endedAt: at };
      expect(at).toBe(to);
    } catch (error) {
      expect(error).toBeInstanceOf(ChunkedBodyError);
      return { data: Buffer.concat(parts), endedAt: -1, error: (error as Error).message };
    }
  }
  return { data: Buffer.concat(parts), endedAt: -1 };
}

const wire = (text: string) => Buffer.from(text, 'latin1');

describe('ChunkedBody: the shapes of RFC 9112 chunked coding', () => {
  // [name, body, its data]; each is also read with bytes after it, which must be left alone.
  const cases: [string, string, string][] = [
    ['one chunk and the end', '5\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['several chunks', '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n', 'abcde'],
    ['upper- and lower-case hex, leading zeros', '000A\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n', '0123456789abcdefghijklmnopqrstuvwxyz'],
    ['extensions after the size', '4;name=value;x\r\nabcd\r\n0;last\r\n\r\n', 'abcd'],
    ['whitespace before an extension', '4 ;a=b\r\nabcd\r\n0\r\n\r\n', 'abcd'],
    ['trailers after the last chunk', '2\r\nok\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n', 'ok'],
    ['data holding CR, LF and what looks like a size line', '8\r\n\r\n0\r\n\r\n\r\r\n0\r\n\r\n', '\r\n0\r\n\r\n\r'],
  ];
  it.each(cases)('%s', (_name, text, data) => {
    for (const after of ['', 'HTTP/1.1 200 OK\r\n', '0\r\n\r\n']) {
      const bytes = wire(text + after);
      for (const cuts of [[], [...bytes.keys()]]) {
        const result = run(bytes, cuts);
        expect(result.error).toBeUndefined();
        expect(result.data.toString('latin1')).toBe(data);
        expect(result.endedAt).toBe(text.length);
      }
    }
  });

  const refused: [string, string, string][] = [
    ['a size that is not hex', 'zz\r\nab\r\n', 'a chunk size is not hexadecimal'],
    ['an empty size', '\r\nab\r\n', 'a chunk size is not hexadecimal'],
    ['a size line ending in a bare LF', '2\nab\r\n0\r\n\r\n', 'a chunk size is not hexadecimal'],
    ['a size line ending in CR and no LF', '2\rab\r\n', 'a chunk size line does not end with CRLF'],
    ['a chunk longer than its size', '2\r\nabc\r\n0\r\n\r\n', 'a chunk is longer than its size'],
    ['a chunk whose CR has no LF', '2\r\nab\rx', 'a chunk is longer than its size'],
    ['a size too large', 'fffffffffffffff\r\n', 'a chunk size is too large'],
    ['a size line without end', `1;${'x'.repeat(20_000)}`, 'a chunk size or trailer line is too long'],
    ['a trailer line without end', `0\r\nT: ${'y'.repeat(20_000)}`, 'a chunk size or trailer line is too long'],
    ['a trailer whose CR has no LF', '0\r\nT: 1\rx', 'a trailer line does not end with CRLF'],
    ['a final line whose CR has no LF', '0\r\n\rx', 'the body does not end with CRLF'],
  ];
  it.each(refused)('refuses %s', (_name, text, message) => {
    const bytes = wire(text);
    expect(run(bytes).error).toBe(message);
    expect(run(bytes, [...bytes.keys()]).error).toBe(message);
  });

  it('reports the data of a piece before refusing what follows in it', () => {
    const result = run(wire('3\r\nabc\r\nq\r\n'));
    expect(result.data.toString('latin1')).toBe('abc');
    expect(result.error).toBe('a chunk size is not hexadecimal');
  });

  it('is not done while the body is unfinished', () => {
    for (const text of ['', '5\r\nhel', '5\r\nhello\r\n', '0\r\n', '0\r\nT: 1\r\n']) {
      const result = run(wire(text));
      expect(result.error).toBeUndefined();
      expect(result.endedAt).toBe(-1);
    }
  });
});

/** Encodes `data` as chunks of the given sizes, with optional extensions and trailers. */
function encode(data: Buffer, sizes: readonly number[], extensions: boolean, trailers: readonly string[], upper: boolean): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  let n = 0;
  while (at < data.length) {
    const size = Math.min(Math.max(1, sizes[n++ % Math.max(1, sizes.length)] ?? 1), data.length - at);
    const hex = upper ? size.toString(16).toUpperCase() : size.toString(16);
    parts.push(Buffer.from(`${hex}${extensions ? `;n=${n}` : ''}\r\n`, 'latin1'), data.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from(`0${extensions ? ';end' : ''}\r\n${trailers.map((t) => `${t}\r\n`).join('')}\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

describe('ChunkedBody: any data, any chunk sizes, any pieces', () => {
  it('gives back exactly the data and stops at the end of the body', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.stringMatching(/^[A-Za-z-]{1,8}: [ -~]{0,12}$/), { maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.uint8Array({ maxLength: 20 }),
        (bytes, sizes, extensions, trailers, upper, cutSeeds, after) => {
          const data = Buffer.from(bytes);
          const body = encode(data, sizes, extensions, trailers, upper);
          const whole = Buffer.concat([body, Buffer.from(after)]);
          const cuts = cutSeeds.map((seed) => seed % (whole.length + 1));
          const result = run(whole, cuts);
          expect(result.error).toBeUndefined();
          expect(result.data.equals(data)).toBe(true);
          expect(result.endedAt).toBe(body.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
