/** --json's first and last records, and the colour painted around exact bytes for a pipe. */
import { describe, expect, it } from 'vitest';
import { renderJsonExit, renderJsonStart, renderJsonStop } from '../../src/render/json-lines.js';
import { paintRuns } from '../../src/render/paint-bytes.js';

describe('--json records', () => {
  it('start: ids, streams, start offsets, version', () => {
    const line = renderJsonStart({ version: '1.2.3', devbox_id: 'dbx_1', execution_id: 'exn_1', streams: ['stdout', 'stderr'], offsets: { stdout: 5, stderr: 0 } });
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ event: 'start', version: '1.2.3', devbox_id: 'dbx_1', execution_id: 'exn_1', streams: ['stdout', 'stderr'], offsets: { stdout: 5, stderr: 0 } });
  });

  it.each([
    [renderJsonExit(3), { event: 'exit', exit_status: 3 }],
    [renderJsonExit(0, undefined, 12), { event: 'exit', exit_status: 0, missing_bytes: 12 }],
    [
      renderJsonStop({ event: 'timeout', status: 124, message: 'stopped after --timeout 2s', offsets: { stdout: 10, stderr: 2 } }),
      { event: 'timeout', status: 124, message: 'stopped after --timeout 2s', offsets: { stdout: 10, stderr: 2 } },
    ],
    [
      renderJsonStop({ event: 'interrupt', status: 130, signal: 'SIGINT', message: 'interrupted', offsets: { stdout: 1, stderr: 0 } }),
      { event: 'interrupt', status: 130, signal: 'SIGINT', message: 'interrupted', offsets: { stdout: 1, stderr: 0 } },
    ],
    [
      renderJsonStop({ event: 'failure', status: 255, kind: 'not-found', message: 'not found (404)', offsets: { stdout: 0, stderr: 0 } }),
      { event: 'failure', status: 255, kind: 'not-found', message: 'not found (404)', offsets: { stdout: 0, stderr: 0 } },
    ],
  ])('%s', (line, record) => {
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(record);
  });

  it('several executions: `execution` right after `event` in the first and last records', () => {
    const start = renderJsonStart({ execution: 'exn_1', version: '1.2.3', devbox_id: 'dbx_1', execution_id: 'exn_1', streams: ['stdout'], offsets: { stdout: 0, stderr: 0 } });
    expect(start.startsWith('{"event":"start","execution":"exn_1","version":"1.2.3",')).toBe(true);
    const stops = [
      renderJsonStop({ event: 'stopped', execution: 'exn_2', status: 9, message: '--fail-fast stopped the others', offsets: { stdout: 4, stderr: 1 } }),
      renderJsonStop({ status: 255, kind: 'not-found', message: 'gone', offsets: { stdout: 0, stderr: 0 }, execution: 'exn_2', event: 'failure' }),
    ];
    expect(stops[0]).toBe('{"event":"stopped","execution":"exn_2","status":9,"message":"--fail-fast stopped the others","offsets":{"stdout":4,"stderr":1}}\n');
    expect(stops[1]).toBe('{"event":"failure","execution":"exn_2","status":255,"kind":"not-found","message":"gone","offsets":{"stdout":0,"stderr":0}}\n');
    expect(renderJsonExit(3, 'exn_2', 5)).toBe('{"event":"exit","execution":"exn_2","exit_status":3,"missing_bytes":5}\n');
  });

  it('escapes C1 controls and line separators a message may quote', () => {
    const line = renderJsonStop({ event: 'failure', status: 255, kind: 'protocol', message: 'bad \u009b31m \u2028 body', offsets: { stdout: 0, stderr: 0 } });
    expect(line).not.toMatch(/[\u0080-\u009f\u2028]/);
    expect((JSON.parse(line) as { message: string }).message).toBe('bad \u009b31m \u2028 body');
  });
});

describe('paintRuns', () => {
  const paint = (text: string) => paintRuns(Buffer.from(text), '<', '>').toString();
  it.each([
    ['', ''],
    ['err\n', '<err>\n'],
    ['a\nb', '<a>\n<b>'],
    ['\n\n', '\n\n'],
    ['10%\r20%\r\n', '<10%>\r<20%>\r\n'],
    ['é\n', '<é>\n'],
  ])('%j → %j', (text, painted) => {
    expect(paint(text)).toBe(painted);
  });

  it('keeps every byte: removing the colour gives the input back', () => {
    const bytes = Buffer.from([0xff, 0x0a, 0xc3, 0xa9, 0x0d, 0x00, 0x41]);
    const out = paintRuns(bytes, '\x1b[31m', '\x1b[39m');
    expect(Buffer.from(out.toString('latin1').replace(/\x1b\[3[19]m/g, ''), 'latin1').equals(bytes)).toBe(true);
  });
});
