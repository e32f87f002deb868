/**
 * The service's shapes, defined once (api/wire.ts) for the client that reads them and the local
 * server that writes them.
 */
import { describe, expect, it } from 'vitest';
import { asExecutionView } from '../../src/api/client.js';
import { EXECUTION_STATUSES, isExecutionStatus, type ExecutionDetailView } from '../../src/api/wire.js';

describe('isExecutionStatus', () => {
  it.each([
    ['queued', true],
    ['running', true],
    ['completed', true],
    ['COMPLETED', false],
    ['failed', false],
    ['', false],
    [null, false],
    [1, false],
  ])('%j → %s', (value, expected) => expect(isExecutionStatus(value)).toBe(expected));

  it('lists the statuses in the order an execution goes through them', () => {
    expect(EXECUTION_STATUSES).toEqual(['queued', 'running', 'completed']);
  });
});

describe('the client reads what the local server writes', () => {
  it('a full view, as the emulator builds it, is read as the fields the client uses', () => {
    const view: ExecutionDetailView = {
      devbox_id: 'dbx_local',
      execution_id: 'exn_1',
      status: 'completed',
      exit_status: 3,
      shell_name: null,
      stdout: 'out\n',
      stdout_truncated: false,
      stderr: '',
      stderr_truncated: false,
    };
    expect(asExecutionView(view, 'execution status')).toEqual({ devbox_id: 'dbx_local', execution_id: 'exn_1', status: 'completed', exit_status: 3 });
  });
});
