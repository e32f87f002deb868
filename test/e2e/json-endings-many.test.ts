/**
 * --json with several executions at once: each execution gets the records a single follow writes —
 * a first record (ids, start offsets, version) and a last one for however it ended (exit, timeout,
 * interrupt, --fail-fast stop, failure) — each naming it in `execution`. Records are checked per
 * execution, never in an order across executions or streams.
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
/** Every line of stdout parsed, grouped by execution (every record must name one). */
function recordsBy(stdout: Buffer, ids: readonly string[]): Map<string, JsonRecord[]> {
  const records = stdout
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonRecord);
  for (const record of records) expect(ids, JSON.stringify(record)).toContain(record.execution);
  return new Map(ids.map((id) => [id, records.filter((r) => r.execution === id)]));
}

const startRecord = (executionId: string) => ({
  event: 'start',
  execution: executionId,
  version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
  devbox_id: 'dbx_local',
  execution_id: executionId,
  streams: ['stdout', 'stderr'],
  offsets: { stdout: 0, stderr: 0 },
});

/** The bytes of one stream the line records of an execution delivered. */
const delivered = (records: readonly JsonRecord[], stream: string) =>
  records.filter((r) => r.stream === stream).reduce((sum, r) => sum + Buffer.byteLength(String(r.text)), 0);

/** Two executions that print a line and wait at a gate. */
async function waitingPair(name: string) {
  const gate = gates.gate(name);
  const views = await Promise.all([1, 2].map((n) => local.server.execute('dbx_local', `echo started ${n}; ${gate.wait}; echo after`)));
  return { gate, ids: views.map((v) => v.execution_id) };
}

describe('--json records of several executions, for each ending', () => {
  it('exit and failure: a start record each, then the exit status of one and the failure (kind, message) of the other', async () => {
    const view = await local.server.execute('dbx_local', 'echo hi; echo oops >&2; exit 3');
    const ids = [view.execution_id, 'exn_does_not_exist'];
    const result = await runCli([...ids.map((id) => `dbx_local/${id}`), '--json'], { env: env() });
    expect(result.status).toBe(3);
    const by = recordsBy(result.stdout, ids);
    const ran = by.get(ids[0] as string) ?? [];
    expect(ran[0]).toEqual(startRecord(ids[0] as string));
    expect(ran.filter((r) => r.stream === 'stdout').map((r) => r.text)).toEqual(['hi\n']);
    expect(ran.filter((r) => r.stream === 'stderr').map((r) => r.text)).toEqual(['oops\n']);
    expect(ran.at(-1)).toEqual({ event: 'exit', execution: ids[0], exit_status: 3 });
    expect(ran).toHaveLength(4);
    const missing = by.get('exn_does_not_exist') ?? [];
    expect(missing).toHaveLength(2);
    expect(missing[0]).toEqual(startRecord('exn_does_not_exist'));
    expect(missing[1]).toMatchObject({ event: 'failure', execution: 'exn_does_not_exist', status: 255, kind: 'not-found', offsets: { stdout: 0, stderr: 0 } });
    expect(missing[1]?.message).toMatch(/not found/);
  });

  it('timeout: each unfinished execution ends with a timeout record and its offsets; the resume line keeps --json', async () => {
    const { gate, ids } = await waitingPair('timeout');
    try {
      const result = await runCli([...ids.map((id) => `dbx_local/${id}`), '--json', '--timeout', '1s'], { env: env() });
      expect(result.status).toBe(124);
      const by = recordsBy(result.stdout, ids);
      for (const [id, records] of by) {
        expect(records[0]).toEqual(startRecord(id));
        // However far each got in that second, its offsets are where its records end.
        expect(records.at(-1)).toEqual({
          event: 'timeout',
          execution: id,
          status: 124,
          message: 'stopped after --timeout 1s',
          offsets: { stdout: delivered(records, 'stdout'), stderr: 0 },
        });
      }
      // The base URL came from the environment: repeated, so the line cannot follow another service.
      const words = ids.map((id) => `dbx_local/${id}@${delivered(by.get(id) ?? [], 'stdout')},0`);
      expect(result.stderr.toString()).toContain(`resume with: runloop-tail ${words.join(' ')} --base-url ${local.server.url} --json\n`);
    } finally {
      gate.open();
    }
  });

  it.each([
    ['SIGINT', 130, /^interrupted; resume with: runloop-tail /],
    ['SIGTERM', 143, /^stopped by SIGTERM; resume with: runloop-tail /],
  ] as const)('%s: each unfinished execution ends with an interrupt record naming the signal', async (signal, status, message) => {
    const { gate, ids } = await waitingPair(signal);
    try {
      const child = startCli([...ids.map((id) => `dbx_local/${id}`), '--json'], { env: env() });
      const done = collect(child, { timeoutMs: PATIENCE_MS });
      await waitForOutput(child, 'stdout', (text) => text.includes('"text":"started 1\\n"') && text.includes('"text":"started 2\\n"'));
      child.kill(signal);
      const result = await done;
      expect(result.status).toBe(status);
      for (const [id, records] of recordsBy(result.stdout, ids)) {
        expect(records[0]).toEqual(startRecord(id));
        expect(records.filter((r) => r.stream === 'stdout').map((r) => r.text)).toEqual([`started ${ids.indexOf(id) + 1}\n`]);
        const last = records.at(-1);
        expect(last).toMatchObject({ event: 'interrupt', execution: id, status, signal, offsets: { stdout: 10, stderr: 0 } });
        expect(last?.message).toMatch(message);
        expect(last?.message).toContain(`dbx_local/${id}@10,0`);
      }
    } finally {
      gate.open();
    }
  });

  it('--fail-fast: the failed one has its exit record, the one stopped a stopped record with the status and the resume line', async () => {
    const gate = gates.gate('fail-fast');
    try {
      const waiting = await local.server.execute('dbx_local', `echo waiting; ${gate.wait}; echo after`);
      const failing = await local.server.execute('dbx_local', 'echo failing; exit 9');
      const ids = [waiting.execution_id, failing.execution_id];
      const child = startCli([...ids.map((id) => `dbx_local/${id}`), '--json', '--fail-fast'], { env: env() });
      const result = await collect(child, { timeoutMs: PATIENCE_MS });
      expect(result.status).toBe(9);
      const by = recordsBy(result.stdout, ids);
      const failed = by.get(failing.execution_id) ?? [];
      expect(failed[0]).toEqual(startRecord(failing.execution_id));
      expect(failed.at(-1)).toEqual({ event: 'exit', execution: failing.execution_id, exit_status: 9 });
      const stopped = by.get(waiting.execution_id) ?? [];
      expect(stopped[0]).toEqual(startRecord(waiting.execution_id));
      const out = delivered(stopped, 'stdout');
      expect(stopped.at(-1)).toEqual({
        event: 'stopped',
        execution: waiting.execution_id,
        status: 9,
        message: `--fail-fast stopped the others; resume them with: runloop-tail dbx_local/${waiting.execution_id}@${out},0 --base-url ${local.server.url} --json --fail-fast`,
        offsets: { stdout: out, stderr: 0 },
      });
    } finally {
      gate.open();
    }
  });
});
