/**
 * --json is self-describing: a first record says what is followed (ids, start offsets, version),
 * and one last record says how it ended — exit, timeout, interrupt or failure — with the offsets
 * to resume from. The real CLI against the local server; the remote waits at a gate where a test
 * needs it still running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { Gates, PATIENCE_MS } from '../helpers/wait.js';

const local = localServerForFile();
const gates = new Gates();
afterAll(() => gates.remove());

const env = () => local.env();

type JsonRecord = Record<string, unknown>;
const recordsOf = (stdout: Buffer): JsonRecord[] =>
  stdout
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonRecord);

const startRecord = (executionId: string, offsets = { stdout: 0, stderr: 0 }) => ({
  event: 'start',
  version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
  devbox_id: 'dbx_local',
  execution_id: executionId,
  streams: ['stdout', 'stderr'],
  offsets,
});

describe('--json records for each ending', () => {
  it('exit: start, the lines, the exit status', async () => {
    const view = await local.server.execute('dbx_local', 'echo hi; exit 4');
    const result = await runCli(['dbx_local', view.execution_id, '--json', '--stdout-offset', '0'], { env: env() });
    expect(result.status).toBe(4);
    const records = recordsOf(result.stdout);
    expect(records[0]).toEqual(startRecord(view.execution_id));
    expect(records.slice(1, -1)).toMatchObject([{ stream: 'stdout', text: 'hi\n', offset: 0 }]);
    expect(records.at(-1)).toEqual({ event: 'exit', exit_status: 4 });
  });

  it('timeout: the last record says so, with status 124 and the offsets reached', async () => {
    const gate = gates.gate('timeout');
    try {
      const view = await local.server.execute('dbx_local', `echo started; ${gate.wait}`);
      const result = await runCli(['dbx_local', view.execution_id, '--json', '--timeout', '1s'], { env: env() });
      expect(result.status).toBe(124);
      const records = recordsOf(result.stdout);
      expect(records[0]).toEqual(startRecord(view.execution_id));
      // However far it got in that second, the offsets are where the records written end.
      const delivered = records.filter((r) => r.stream === 'stdout').reduce((sum, r) => sum + Buffer.byteLength(String(r.text)), 0);
      expect(records.at(-1)).toEqual({ event: 'timeout', status: 124, message: 'stopped after --timeout 1s', offsets: { stdout: delivered, stderr: 0 } });
    } finally {
      gate.open();
    }
  });

  it('interrupt: the last record names the signal, status 130, and the offsets', async () => {
    const gate = gates.gate('interrupt');
    try {
      const view = await local.server.execute('dbx_local', `echo started; ${gate.wait}`);
      const child = startCli(['dbx_local', view.execution_id, '--json'], { env: env() });
      const done = collect(child, { timeoutMs: PATIENCE_MS });
      await waitForOutput(child, 'stdout', (text) => text.includes('"text":"started\\n"'));
      child.kill('SIGINT');
      const result = await done;
      expect(result.status).toBe(130);
      const last = recordsOf(result.stdout).at(-1);
      expect(last).toMatchObject({ event: 'interrupt', status: 130, signal: 'SIGINT', offsets: { stdout: 8, stderr: 0 } });
      expect(last?.message).toMatch(/^interrupted; resume with: runloop-tail dbx_local exn_\S+ --stdout-offset 8 --stderr-offset 0/);
    } finally {
      gate.open();
    }
  });

  it('failure: the last record has the kind and the message, status 255', async () => {
    const result = await runCli(['dbx_local', 'exn_does_not_exist', '--json', '--stdout-offset', '3'], { env: env() });
    expect(result.status).toBe(255);
    const records = recordsOf(result.stdout);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(startRecord('exn_does_not_exist', { stdout: 3, stderr: 0 }));
    expect(records[1]).toMatchObject({ event: 'failure', status: 255, kind: 'not-found', offsets: { stdout: 3, stderr: 0 } });
    expect(records[1]?.message).toMatch(/not found/);
  });
});
