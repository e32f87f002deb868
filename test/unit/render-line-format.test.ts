import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../src/stream/types.js';
import { createLineAssembler, type AssembledLine, type LineTerminator } from '../../src/render/line-assembler.js';
import { lineHeader, renderLine, renderStreamEnd, type LineFormatOptions } from '../../src/render/line-format.js';
import { createSanitizer } from '../../src/render/sanitize.js';

const time = new Date('2024-05-01T14:34:56.789+02:00');
const ISO = '2024-05-01T12:34:56.789Z';

function line(text: string | Buffer, terminator: LineTerminator, partial = false, offset = 0): AssembledLine {
  return { bytes: typeof text === 'string' ? Buffer.from(text) : text, offset, terminator, partial };
}

const plain = { level: 0 } as const;

describe('renderLine: table (no colour, no sanitiser)', () => {
  const rows: [name: string, AssembledLine, StreamName, Omit<LineFormatOptions, 'level'>, expected: string][] = [
    ['prefix, stdout LF line', line('hello\n', 'lf'), 'stdout', { prefix: true, timestamps: false }, 'stdout | hello\n'],
    ['prefix, stderr CRLF line', line('e\r\n', 'crlf'), 'stderr', { prefix: true, timestamps: false }, 'stderr | e\r\n'],
    ['prefix, partial line gets a newline', line('abc', 'none', true), 'stdout', { prefix: true, timestamps: false }, 'stdout | abc\n'],
    ['prefix, lone-CR line keeps the CR and gets a newline', line('50%\r', 'cr'), 'stderr', { prefix: true, timestamps: false }, 'stderr | 50%\r\n'],
    ['prefix, empty line', line('\n', 'lf'), 'stdout', { prefix: true, timestamps: false }, 'stdout | \n'],
    ['timestamps, UTC with milliseconds', line('hello\n', 'lf'), 'stdout', { prefix: false, timestamps: true }, `${ISO} hello\n`],
    ['timestamps, partial line gets a newline', line('x', 'none', true), 'stdout', { prefix: false, timestamps: true }, `${ISO} x\n`],
    ['timestamps then prefix', line('hello\n', 'lf'), 'stderr', { prefix: true, timestamps: true }, `${ISO} stderr | hello\n`],
    ['neither: the bytes as they are', line('abc', 'none', true), 'stdout', { prefix: false, timestamps: false }, 'abc'],
    ['escape sequences pass without a sanitiser', line('\x1b]0;t\x07x\n', 'lf'), 'stdout', { prefix: true, timestamps: false }, 'stdout | \x1b]0;t\x07x\n'],
  ];
  it.each(rows)('%s', (_name, assembled, stream, options, expected) => {
    expect(renderLine(assembled, { stream, time }, { ...options, ...plain }).toString('latin1')).toBe(Buffer.from(expected).toString('latin1'));
  });

  it('keeps invalid UTF-8 bytes exact without a sanitiser', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x0a]);
    const out = renderLine(line(bytes, 'lf'), { stream: 'stdout', time }, { prefix: true, timestamps: false, ...plain });
    expect(out.equals(Buffer.concat([Buffer.from('stdout | '), bytes]))).toBe(true);
  });
});

describe('renderLine: colour', () => {
  it('colours the label of each stream differently, and the timestamp dim', () => {
    const options = { prefix: true, timestamps: true, level: 1 } as const;
    expect(renderLine(line('a\n', 'lf'), { stream: 'stdout', time }, options).toString()).toBe(`\x1b[2m${ISO}\x1b[22m \x1b[36mstdout |\x1b[39m a\n`);
    expect(renderLine(line('a\n', 'lf'), { stream: 'stderr', time }, options).toString()).toBe(`\x1b[2m${ISO}\x1b[22m \x1b[31mstderr |\x1b[39m a\n`);
  });

  const RED = '\x1b[31m';
  const END = '\x1b[39m';
  it.each<[name: string, AssembledLine, StreamName, Omit<LineFormatOptions, 'sanitizer'>, sanitized: boolean, expected: string]>([
    ['stderr text red when asked (a pipe, --color always)', line('text\n', 'lf'), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, `${RED}stderr |${END} ${RED}text${END}\n`],
    ['stderr text red on a terminal (sanitised)', line('text\n', 'lf'), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, true, `${RED}stderr |${END} ${RED}text${END}\n`],
    ['stdout text never', line('text\n', 'lf'), 'stdout', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, '\x1b[36mstdout |\x1b[39m text\n'],
    ['not asked: only the label', line('text\n', 'lf'), 'stderr', { prefix: true, timestamps: false, level: 3, stderrText: false }, false, `${RED}stderr |${END} text\n`],
    ['level 0: nothing at all', line('text\n', 'lf'), 'stderr', { prefix: true, timestamps: true, level: 0, stderrText: true }, false, `${ISO} stderr | text\n`],
    ['--timestamps only', line('text\n', 'lf'), 'stderr', { prefix: false, timestamps: true, level: 1, stderrText: true }, false, `\x1b[2m${ISO}\x1b[22m ${RED}text${END}\n`],
    ['CRLF: the colour closes before the CR', line('e\r\n', 'crlf'), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, `${RED}stderr |${END} ${RED}e${END}\r\n`],
    ['lone-CR pieces each coloured, newline added', line('10%\r', 'cr'), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, `${RED}stderr |${END} ${RED}10%${END}\r\n`],
    ['partial line: coloured, then the newline', line('abc', 'none', true), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, `${RED}stderr |${END} ${RED}abc${END}\n`],
    ['empty line: no empty colour pair', line('\n', 'lf'), 'stderr', { prefix: true, timestamps: false, level: 1, stderrText: true }, false, `${RED}stderr |${END} \n`],
    ['an execution label only', line('x\n', 'lf'), 'stderr', { prefix: false, timestamps: false, level: 1, stderrText: true, label: { text: 'exn_1', colorIndex: 0 } }, false, `\x1b[36mexn_1\x1b[39m ${RED}x${END}\n`],
  ])('%s', (_name, assembled, stream, options, sanitized, expected) => {
    const out = renderLine(assembled, { stream, time }, { ...options, sanitizer: sanitized ? createSanitizer() : undefined });
    expect(out.toString('latin1')).toBe(Buffer.from(expected).toString('latin1'));
  });

  it('in a pipe the coloured text keeps its exact bytes, invalid UTF-8 included', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x0a]);
    const out = renderLine(line(bytes, 'lf'), { stream: 'stderr', time }, { prefix: true, timestamps: false, level: 1, stderrText: true });
    expect(out.equals(Buffer.concat([Buffer.from(`${RED}stderr |${END} ${RED}`), bytes.subarray(0, 4), Buffer.from(END), Buffer.from('\n')]))).toBe(true);
  });

  it('a held sequence at the end of a stderr stream comes out coloured too', () => {
    const sanitizer = createSanitizer();
    const options = { prefix: true, timestamps: false, level: 1 as const, stderrText: true, sanitizer };
    renderLine(line('x\x1b[', 'none', true), { stream: 'stderr', time }, options);
    expect(renderStreamEnd({ stream: 'stderr', time }, options).toString()).toBe(`${RED}stderr |${END} ${RED}^[[${END}\n`);
  });

  it('consecutive lines with different times, streams or options get their own header', () => {
    const later = new Date(time.getTime() + 1);
    const headers = [
      lineHeader({ stream: 'stdout', time }, { prefix: true, timestamps: true, level: 0 }),
      lineHeader({ stream: 'stdout', time: later }, { prefix: true, timestamps: true, level: 0 }),
      lineHeader({ stream: 'stderr', time: later }, { prefix: true, timestamps: true, level: 0 }),
      lineHeader({ stream: 'stderr', time: later }, { prefix: false, timestamps: true, level: 0 }),
      lineHeader({ stream: 'stderr', time: later }, { prefix: false, timestamps: true, level: 1 }),
    ];
    expect(headers).toEqual([
      `${ISO} stdout | `,
      '2024-05-01T12:34:56.790Z stdout | ',
      '2024-05-01T12:34:56.790Z stderr | ',
      '2024-05-01T12:34:56.790Z ',
      '\x1b[2m2024-05-01T12:34:56.790Z\x1b[22m ',
    ]);
  });

  it('level 0 header has no escape codes', () => {
    expect(lineHeader({ stream: 'stderr', time }, { prefix: true, timestamps: true, level: 0 })).toBe(`${ISO} stderr | `);
  });
});

describe('renderLine: with the sanitiser (a terminal)', () => {
  const options = (sanitizer: ReturnType<typeof createSanitizer>) => ({ prefix: true, timestamps: false, level: 0 as const, sanitizer });

  it('neutralises a title sequence and keeps colour', () => {
    const out = renderLine(line('\x1b]0;pwned\x07\x1b[32mok\x1b[0m\n', 'lf'), { stream: 'stdout', time }, options(createSanitizer()));
    expect(out.toString()).toBe('stdout | ^[]0;pwned^G\x1b[32mok\x1b[0m\n');
  });

  it('a sequence cut by a quiet-spell flush is completed on the next line, not neutralised', () => {
    const sanitizer = createSanitizer();
    const context = { stream: 'stdout' as const, time };
    expect(renderLine(line('ab\x1b[3', 'none', true), context, options(sanitizer)).toString()).toBe('stdout | ab\n');
    expect(renderLine(line('1mc\n', 'lf'), context, options(sanitizer)).toString()).toBe('stdout | \x1b[31mc\n');
  });

  it('at the end of the stream a held sequence comes out neutralised on its own line', () => {
    const sanitizer = createSanitizer();
    const context = { stream: 'stderr' as const, time };
    renderLine(line('x\x1b[', 'none', true), context, options(sanitizer));
    expect(renderStreamEnd(context, options(sanitizer)).toString()).toBe('stderr | ^[[\n');
    expect(renderStreamEnd(context, options(sanitizer)).length).toBe(0);
  });

  it('invalid UTF-8 shows as U+FFFD on a terminal', () => {
    const out = renderLine(line(Buffer.from([0x61, 0xff, 0x0a]), 'lf'), { stream: 'stdout', time }, options(createSanitizer()));
    expect(out.toString()).toBe('stdout | a\uFFFD\n');
  });
});

describe('renderLine: properties', () => {
  const bytes = fc
    .array(fc.oneof(fc.constantFrom('\n', '\r', '\r\n', 'ab', 'é', '😀').map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a))), { maxLength: 40 })
    .map((parts) => Buffer.concat(parts));

  it('every rendered line is header + the exact line bytes + a newline only when missing', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), fc.boolean(), fc.constantFrom<StreamName>('stdout', 'stderr'), (stream, prefix, timestamps, name) => {
        fc.pre(prefix || timestamps);
        const assembler = createLineAssembler({ maxLineBytes: 8 });
        const lines = [...assembler.push(stream, 0), ...assembler.flush()];
        const header = `${timestamps ? `${ISO} ` : ''}${prefix ? `${name} | ` : ''}`;
        const rebuilt: Buffer[] = [];
        for (const l of lines) {
          const out = renderLine(l, { stream: name, time }, { prefix, timestamps, level: 0 });
          expect(out.subarray(0, header.length).toString()).toBe(header);
          expect(out[out.length - 1]).toBe(0x0a);
          const body = out.subarray(header.length, l.bytes[l.bytes.length - 1] === 0x0a ? out.length : out.length - 1);
          rebuilt.push(body);
        }
        expect(Buffer.concat(rebuilt).equals(stream)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
