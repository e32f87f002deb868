import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../src/stream/types.js';
import { jsonLineBytes, renderJsonExit, renderJsonLine, type JsonLineRecord } from '../../src/render/json-lines.js';
import { createLineAssembler, type AssembledLine } from '../../src/render/line-assembler.js';

const time = new Date(Date.UTC(2024, 4, 1, 12, 34, 56, 789));

function line(bytes: Buffer | string, offset: number, partial = false): AssembledLine {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return { bytes: b, offset, terminator: partial ? 'none' : 'lf', partial };
}

describe('renderJsonLine: table', () => {
  const rows: [name: string, AssembledLine, StreamName, expected: string][] = [
    [
      'a stdout line',
      line('hello\n', 123),
      'stdout',
      '{"stream":"stdout","text":"hello\\n","offset":123,"time":"2024-05-01T12:34:56.789Z","partial":false}\n',
    ],
    [
      'a partial stderr line',
      line('no newline', 0, true),
      'stderr',
      '{"stream":"stderr","text":"no newline","offset":0,"time":"2024-05-01T12:34:56.789Z","partial":true}\n',
    ],
    [
      'escape, CR, quote and backslash are JSON-escaped',
      line('\x1b[31m"a\\b"\r\n', 5),
      'stdout',
      '{"stream":"stdout","text":"\\u001b[31m\\"a\\\\b\\"\\r\\n","offset":5,"time":"2024-05-01T12:34:56.789Z","partial":false}\n',
    ],
    [
      'C1 controls, DEL and line separators are escaped too',
      line('\u009b\u007f\u2028\u2029é\n', 0),
      'stdout',
      '{"stream":"stdout","text":"\\u009b\\u007f\\u2028\\u2029é\\n","offset":0,"time":"2024-05-01T12:34:56.789Z","partial":false}\n',
    ],
    [
      'invalid UTF-8 adds the exact bytes in base64',
      line(Buffer.from([0x61, 0xff, 0x0a]), 9),
      'stdout',
      '{"stream":"stdout","text":"a\uFFFD\\n","offset":9,"time":"2024-05-01T12:34:56.789Z","partial":false,"bytes_base64":"Yf8K"}\n',
    ],
    [
      'a character cut by a discontinuity is invalid UTF-8 too',
      line(Buffer.from([0xe2, 0x82]), 0, true),
      'stderr',
      '{"stream":"stderr","text":"\uFFFD","offset":0,"time":"2024-05-01T12:34:56.789Z","partial":true,"bytes_base64":"4oI="}\n',
    ],
    [
      'a BOM is kept in text',
      line('\ufeffx\n', 0),
      'stdout',
      '{"stream":"stdout","text":"\ufeffx\\n","offset":0,"time":"2024-05-01T12:34:56.789Z","partial":false}\n',
    ],
  ];
  it.each(rows)('%s', (_name, assembled, stream, expected) => {
    const out = renderJsonLine(assembled, { stream, time });
    expect(out).toBe(expected);
    const record = JSON.parse(out) as JsonLineRecord;
    expect(jsonLineBytes(record).equals(assembled.bytes)).toBe(true);
  });

  it('each line carries its own arrival time', () => {
    const times = [time, new Date(time.getTime() + 1000), time].map((t) => (JSON.parse(renderJsonLine(line('x\n', 0), { stream: 'stdout', time: t })) as JsonLineRecord).time);
    expect(times).toEqual(['2024-05-01T12:34:56.789Z', '2024-05-01T12:34:57.789Z', '2024-05-01T12:34:56.789Z']);
  });

  it('the exit record', () => {
    expect(renderJsonExit(0)).toBe('{"event":"exit","exit_status":0}\n');
    expect(renderJsonExit(137)).toBe('{"event":"exit","exit_status":137}\n');
  });
});

describe('renderJsonLine: properties', () => {
  const streamBytes = fc
    .array(
      fc.oneof(
        fc.constantFrom('\n', '\r', '\r\n', 'ab', 'é', '€', '😀', '\x1b', '\u009b', '\u2028', '"', '\\', '\ufeff').map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a)),
      ),
      { maxLength: 40 },
    )
    .map((parts) => Buffer.concat(parts));
  const pushes = fc.array(fc.tuple(fc.constantFrom<StreamName>('stdout', 'stderr'), fc.integer({ min: 1, max: 7 })), { maxLength: 30 });

  it('concatenating the records of each stream rebuilds its exact bytes, both streams interleaved', () => {
    fc.assert(
      fc.property(streamBytes, streamBytes, pushes, fc.integer({ min: 4, max: 10 }), (stdout, stderr, order, cap) => {
        const source = { stdout, stderr };
        const assemblers = { stdout: createLineAssembler({ maxLineBytes: cap }), stderr: createLineAssembler({ maxLineBytes: cap }) };
        const sent = { stdout: 0, stderr: 0 };
        let output = '';
        const send = (stream: StreamName, size: number) => {
          const chunk = source[stream].subarray(sent[stream], sent[stream] + size);
          for (const l of assemblers[stream].push(chunk, sent[stream])) output += renderJsonLine(l, { stream, time });
          sent[stream] += chunk.length;
        };
        for (const [stream, size] of order) send(stream, size);
        for (const stream of ['stdout', 'stderr'] as const) {
          send(stream, Infinity);
          for (const l of assemblers[stream].flush()) output += renderJsonLine(l, { stream, time });
        }
        output += renderJsonExit(0);

        const objects = output.split('\n');
        expect(objects.pop()).toBe(''); // every object ends with a newline, none contains a raw one
        const exit = JSON.parse(objects.pop()!) as unknown;
        expect(exit).toEqual({ event: 'exit', exit_status: 0 });
        const rebuilt: Record<StreamName, Buffer[]> = { stdout: [], stderr: [] };
        const next: Record<StreamName, number> = { stdout: 0, stderr: 0 };
        for (const text of objects) {
          expect(text).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
          const record = JSON.parse(text) as JsonLineRecord;
          expect(record.offset).toBe(next[record.stream]);
          const bytes = jsonLineBytes(record);
          next[record.stream] += bytes.length;
          rebuilt[record.stream].push(bytes);
        }
        expect(Buffer.concat(rebuilt.stdout).equals(stdout)).toBe(true);
        expect(Buffer.concat(rebuilt.stderr).equals(stderr)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('bytes_base64 appears exactly when text alone would not rebuild the bytes', () => {
    fc.assert(
      fc.property(streamBytes, (bytes) => {
        fc.pre(bytes.length > 0);
        const record = JSON.parse(renderJsonLine(line(bytes, 0), { stream: 'stdout', time })) as JsonLineRecord;
        expect(record.bytes_base64 !== undefined).toBe(!Buffer.from(record.text, 'utf8').equals(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
