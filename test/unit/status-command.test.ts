import { describe, expect, it } from 'vitest';
import { terminalSafeJson } from '../../src/commands/execution-call.js';
import { statusExit, statusLine } from '../../src/commands/status.js';

describe('status', () => {
  it.each([
    ['queued', null, 0, 'exn_1 on dbx_1: queued'],
    ['running', null, 0, 'exn_1 on dbx_1: running'],
    ['completed', 0, 0, 'exn_1 on dbx_1: completed, exit status 0'],
    ['completed', 143, 143, 'exn_1 on dbx_1: completed, exit status 143'],
    ['completed', 300, 255, 'exn_1 on dbx_1: completed, exit status 300'],
    ['completed', -1, 255, 'exn_1 on dbx_1: completed, exit status -1'],
    ['completed', null, 255, 'exn_1 on dbx_1: completed, exit status unknown'],
  ] as const)('%s with exit_status %s: exit %s', (status, exitStatus, exit, line) => {
    const view = { devbox_id: 'dbx_1', execution_id: 'exn_1', status, exit_status: exitStatus };
    expect(statusExit(view)).toBe(exit);
    expect(statusLine(view)).toBe(line);
  });

  it('prints JSON with no control character a terminal would act on, and the same value', () => {
    const value = { stdout: 'a\u001b]0;title\u0007b\u009b31mc\u007f\u2028' };
    const text = terminalSafeJson(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
