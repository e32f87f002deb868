import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/render/sanitize.js';
import { createTerminalRenderer, type TerminalRendererOptions } from '../../src/render/terminal-text.js';

const b = (text: string) => Buffer.from(text);
const RED = '\x1b[31m';
const CLOSE = '\x1b[39m';

function render(chunks: Uint8Array[], options: TerminalRendererOptions): string[] {
  const renderer = createTerminalRenderer(options);
  return [...chunks.map((c) => renderer.push(c)), renderer.flush()];
}

describe('terminal renderer: table', () => {
  const rows: [name: string, chunks: Uint8Array[], TerminalRendererOptions, expected: string[]][] = [
    ['stdout passes as is', [b('a\nb')], { stream: 'stdout', level: 3, sanitize: true }, ['a\nb', '']],
    ['stderr in red, closed before each line break', [b('err\nmore\n')], { stream: 'stderr', level: 1, sanitize: true }, [`${RED}err${CLOSE}\n${RED}more${CLOSE}\n`, '']],
    ['stderr progress redraw: CR stays outside the colour', [b('\r50%')], { stream: 'stderr', level: 1, sanitize: true }, [`\r${RED}50%${CLOSE}`, '']],
    ['stderr with no colour', [b('err\n')], { stream: 'stderr', level: 0, sanitize: true }, ['err\n', '']],
    ['each chunk closes its own colour', [b('ab'), b('cd\n')], { stream: 'stderr', level: 2, sanitize: true }, [`${RED}ab${CLOSE}`, `${RED}cd${CLOSE}\n`, '']],
    ['a character split over chunks waits for its last byte', [Buffer.from([0xe2]), Buffer.from([0x82, 0xac])], { stream: 'stdout', level: 0, sanitize: true }, ['', '€', '']],
    ['a character cut at the end becomes U+FFFD', [Buffer.from([0x61, 0xe2, 0x82])], { stream: 'stdout', level: 0, sanitize: false }, ['a', '\uFFFD']],
    ['hostile title neutralised', [b('\x1b]0;pwned\x07ok')], { stream: 'stdout', level: 0, sanitize: true }, ['^[]0;pwned^Gok', '']],
    ['raw passes everything', [b('\x1b]0;t\x07ok')], { stream: 'stdout', level: 0, sanitize: false }, ['\x1b]0;t\x07ok', '']],
    ['a held escape is not wrapped in an empty colour', [b('\x1b'), b('[1mx')], { stream: 'stderr', level: 1, sanitize: true }, ['', `${RED}\x1b[1mx${CLOSE}`, '']],
    ['a held escape at the end comes out neutralised', [b('x\x1b[')], { stream: 'stderr', level: 1, sanitize: true }, [`${RED}x${CLOSE}`, `${RED}^[[${CLOSE}`]],
    ['a BOM is kept', [b('\ufeffx')], { stream: 'stdout', level: 0, sanitize: false }, ['\ufeffx', '']],
  ];
  it.each(rows)('%s', (_name, chunks, options, expected) => {
    expect(render(chunks, options)).toEqual(expected);
  });
});

describe('terminal renderer: properties', () => {
  const text = fc.array(fc.constantFrom('a', 'é', '😀', '\n', '\r', '\x1b', '[', ']', '3', '1', 'm', '\x07', '0', ';'), { maxLength: 40 }).map((p) => p.join(''));
  const cuts = fc.array(fc.nat(), { maxLength: 8 });

  function byteChunks(bytes: Buffer, points: number[]): Buffer[] {
    const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((x, y) => x - y);
    const out: Buffer[] = [];
    let last = 0;
    for (const p of [...sorted, bytes.length]) {
      out.push(bytes.subarray(last, p));
      last = p;
    }
    return out;
  }

  it('any byte chunking gives the sanitised text of the whole, and colour only wraps it', () => {
    fc.assert(
      fc.property(text, cuts, fc.boolean(), (input, points, sanitizeOn) => {
        const chunks = byteChunks(Buffer.from(input), points);
        const expected = sanitizeOn ? sanitize(input) : input;
        expect(render(chunks, { stream: 'stdout', level: 0, sanitize: sanitizeOn }).join('')).toBe(expected);
        const red = render(chunks, { stream: 'stderr', level: 1, sanitize: sanitizeOn });
        for (const piece of red) {
          // No piece leaves red open for whatever is written next.
          expect(piece.lastIndexOf(RED) <= piece.lastIndexOf(CLOSE)).toBe(true);
        }
        const unwrap = (s: string) => s.split(RED).join('').split(CLOSE).join('');
        expect(unwrap(red.join(''))).toBe(unwrap(expected));
      }),
      { numRuns: 500 },
    );
  });
});
