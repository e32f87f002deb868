/**
 * A follow's life: live output before completion, quiet connections, --timeout, Ctrl-C with a resume
 * command that continues with no gap and no repeat, --merge and single-stream modes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeApi } from '../helpers/fake-api.js';
import { baseEnv, collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { Gates, until } from '../helpers/wait.js';

// Every test starts from the server's own faults, whichever ran before (or alone, with -t).
const local = localServerForFile({ resetFaultsAfterEach: true });
const gates = new Gates();
afterAll(() => gates.remove());

const env = () => local.env();
/** Lines `from`..`to` on both streams: "line N é" on stdout, "err N" on stderr. */
const lines = (from: number, to: number) => `i=${from}; while [ $i -le ${to} ]; do echo "line $i é"; echo "err $i" >&2; i=$((i+1)); done`;
const expectedLines = (n: number, prefix: string, suffix = '') =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}${suffix}\n`).join('');

describe('following live output', () => {
  it('writes output while the command is still running, then exits with its status', async () => {
    local.server.setFaults({ seed: 1 });
    // The command waits for a gate the test opens once it has seen the first line.
    const gate = gates.gate();
    try {
      const view = await local.server.execute('dbx_local', `echo first; ${gate.wait}; echo second; exit 3`);
      const child = startCli(['dbx_local', view.execution_id], { env: env() });
      const done = collect(child);
      await waitForOutput(child, 'stdout', (text) => text.includes('first\n'));
      const midway = await fetch(`${local.server.url}/v1/devboxes/dbx_local/executions/${view.execution_id}`, {
        headers: { authorization: `Bearer ${local.server.apiKey}` },
      }).then((r) => r.json() as Promise<{ status: string }>);
      expect(midway.status).toBe('running');
      gate.open();
      const result = await done;
      expect(result.stdout.toString()).toBe('first\nsecond\n');
      expect(result.status).toBe(3);
    } finally {
      gate.open();
    }
  });

  it('reconnects from a connection gone quiet (--idle-timeout) and loses nothing', async () => {
    // Every event stalls (far longer than the idle time-out) until the follower has given up on
    // a quiet connection and opened another; then the server stops stalling. Whatever the
    // machine's speed, at least one connection goes quiet, and the follower gets everything
    // through the next ones. The stalls happen while the command runs: once it has completed, a
    // connection silent for the idle time-out means the stream is done (a service holding a
    // finished stream open must not hang the tail), so the command ends only after every row
    // has arrived.
    const gate = gates.gate();
    const expected = Array.from({ length: 40 }, (_, i) => `row ${i}\n`).join('');
    try {
      local.server.setFaults({ seed: 7, stallProbability: 1, stallMs: 60_000, chunkSize: 16 });
      const before = local.server.connections();
      const view = await local.server.execute('dbx_local', `i=0; while [ $i -lt 40 ]; do echo "row $i"; i=$((i+1)); done; ${gate.wait}`);
      const child = startCli(['dbx_local', view.execution_id, '--idle-timeout', '0.3', '--stdout-only'], { env: env() });
      const done = collect(child);
      await until(() => (local.server.connections() - before >= 2 ? true : undefined), 'a second connection');
      local.server.setFaults({ stallProbability: 0 });
      await waitForOutput(child, 'stdout', (text) => text === expected);
      gate.open();
      const result = await done;
      expect(result.stdout.toString()).toBe(expected);
      expect(result.status).toBe(0);
      expect(local.server.connections() - before).toBeGreaterThanOrEqual(2);
    } finally {
      gate.open();
      local.server.setFaults({ stallProbability: 0, chunkSize: 32768 });
    }
  });
});

describe('a queued execution', () => {
  it('is waited for (long-poll renewed after its 408), then followed to its exit status', async () => {
    const fake = await startFakeApi('rk_queued_key_0000000000');
    try {
      const result = await runCli(['queued', 'exn_1', '--verbose'], {
        env: baseEnv({ RUNLOOP_API_KEY: 'rk_queued_key_0000000000', RUNLOOP_BASE_URL: fake.url }),
      });
      expect(result.stdout.toString()).toBe('ran\n');
      expect(result.status).toBe(5);
      expect(result.stderr.toString()).toContain('runloop-tail: execution is queued, waiting for it to start');
    } finally {
      await fake.close();
    }
  });
});

describe('a service that keeps a finished stream open', () => {
  it('checks the status after a quiet spell and finishes instead of hanging', async () => {
    const fake = await startFakeApi('rk_kept_open_key_00000000');
    try {
      const result = await runCli(['kept-open', 'exn_1', '--idle-timeout', '0.3'], {
        env: baseEnv({ RUNLOOP_API_KEY: 'rk_kept_open_key_00000000', RUNLOOP_BASE_URL: fake.url }),
      });
      expect(result.stdout.toString()).toBe('all of it\n');
      expect(result.status).toBe(0);
    } finally {
      await fake.close();
    }
  });
});

describe('--merge, --stdout-only, --stderr-only', () => {
  it('--merge sends both to stdout, nothing to stderr', async () => {
    local.server.setFaults({ seed: 2 });
    const view = await local.server.execute('dbx_local', 'echo out; echo err >&2');
    await local.server.waitCompleted(view.execution_id);
    const result = await runCli(['dbx_local', view.execution_id, '--merge'], { env: env() });
    expect(result.stdout.toString().split('\n').sort()).toEqual(['', 'err', 'out']);
    expect(result.stderr.toString()).toBe('');
  });

  it('--stderr-only follows only stderr', async () => {
    const view = await local.server.execute('dbx_local', 'echo out; echo err >&2; exit 4');
    const result = await runCli(['dbx_local', view.execution_id, '--stderr-only'], { env: env() });
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr.toString()).toBe('err\n');
    expect(result.status).toBe(4);
  });

  it('starts from --stdout-offset / --stderr-offset in bytes', async () => {
    const view = await local.server.execute('dbx_local', "printf 'é€😀tail'; printf 'ab€cd' >&2");
    await local.server.waitCompleted(view.execution_id);
    const result = await runCli(['dbx_local', view.execution_id, '--stdout-offset', '9', '--stderr-offset', '5'], { env: env() });
    expect(result.stdout.toString()).toBe('tail');
    expect(result.stderr.toString()).toBe('cd');
  });
});

describe('stopping early', () => {
  it('--timeout stops with 124 and says how to resume, with offsets that match what was written', async () => {
    // How much arrives before the time-out depends on this machine's speed, so nothing here
    // assumes it: the resume offsets must match what was written, and resuming (after the
    // command is stopped) must deliver the rest with no gap and no repeat.
    const view = await local.server.execute('dbx_local', 'echo started; sleep 600');
    const result = await runCli(['dbx_local', view.execution_id, '--timeout', '1s'], { env: env() });
    expect(result.status).toBe(124);
    const stderr = result.stderr.toString();
    expect(stderr).toContain('runloop-tail: stopped after --timeout 1s');
    const hint = /resume with: (runloop-tail .*)\n/.exec(stderr);
    expect(hint?.[1], stderr).toBe(`runloop-tail dbx_local ${view.execution_id} --stdout-offset ${result.stdout.length} --stderr-offset 0 --base-url ${local.server.url}`);
    expect('started\n'.startsWith(result.stdout.toString())).toBe(true);
    await fetch(`${local.server.url}/v1/devboxes/dbx_local/executions/${view.execution_id}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.server.apiKey}` },
    });
    const resumed = await runCli((hint?.[1] ?? '').split(' ').slice(1), { env: env() });
    expect(Buffer.concat([result.stdout, resumed.stdout]).toString()).toBe('started\n');
    expect(resumed.stderr.toString()).toBe('');
    expect(resumed.status).toBe(143);
  });

  it('Ctrl-C exits 130 with a resume command that continues with no gap and no repeat', async () => {
    local.server.setFaults({ seed: 3, chunkSize: [1, 64] });
    // The command cannot finish before the interrupt: its second half waits for a gate the test
    // opens only after the first follower has exited.
    const gate = gates.gate();
    try {
      const view = await local.server.execute('dbx_local', `${lines(1, 30)}; ${gate.wait}; ${lines(31, 60)}`);
      const first = startCli(['dbx_local', view.execution_id], { env: env() });
      const firstDone = collect(first);
      await waitForOutput(first, 'stdout', (text) => text.includes('line 5 é\n'));
      first.kill('SIGINT');
      const interrupted = await firstDone;
      expect(interrupted.status).toBe(130);
      gate.open();
      const hint = /resume with: (runloop-tail .*)\n/.exec(interrupted.stderr.toString());
      expect(hint, interrupted.stderr.toString()).not.toBeNull();
      const args = (hint?.[1] ?? '').split(' ').slice(1);
      const resumed = await runCli(args, { env: env() });
      expect(resumed.status).toBe(0);
      // The resume offsets say exactly how many bytes of each stream the first run wrote; whatever
      // follows them on its stderr is our own note (on a line of its own).
      const offsets = /--stdout-offset (\d+) --stderr-offset (\d+)/.exec(hint?.[1] ?? '');
      const [stdoutBytes, stderrBytes] = [Number(offsets?.[1]), Number(offsets?.[2])];
      expect(interrupted.stdout.length).toBe(stdoutBytes);
      const note = interrupted.stderr.subarray(stderrBytes).toString();
      expect(note).toMatch(/^\n?runloop-tail: interrupted; resume with: runloop-tail [^\n]*\n$/);
      const stdout = Buffer.concat([interrupted.stdout, resumed.stdout]).toString();
      expect(stdout).toBe(expectedLines(60, 'line', ' é'));
      const stderr = Buffer.concat([interrupted.stderr.subarray(0, stderrBytes), resumed.stderr]).toString();
      expect(stderr).toBe(expectedLines(60, 'err'));
    } finally {
      gate.open();
    }
  });
});
