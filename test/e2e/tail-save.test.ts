/**
 * `--save DIR` against the real local server: the files are byte-exact while following, a follow
 * killed with SIGKILL and run again with the same DIR continues with no gap and no repeat, the
 * summary says what was saved, and a DIR that cannot be written stops everything before the
 * service is contacted. The server is this file's own, so its faults touch no other test.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, runCli, startCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

// Cuts mid-event, resends before the requested offset, small events, both answers to retry.
const local = localServerForFile({
  start: {
    seed: 5,
    offsetMode: 'start',
    chunkSize: [1, 2000],
    cutProbability: 0.03,
    resendProbability: 0.5,
    resendBytes: 300,
    errorProbability: 0.1,
    errorStatuses: [408, 503],
    retryAfterSeconds: 0,
  },
});
const dir = tempDirForFile('rt-save-');

const env = () => local.env();
const read = (path: string) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));

describe('--save DIR', () => {
  it('survives kill -9: a rerun with the same DIR completes the files byte for byte, no gap, no repeat', async () => {
    const save = join(dir, 'new', 'nested'); // created, parents too
    const marker = join(dir, 'marker');
    const gate = join(dir, 'gate');
    const command = [
      `i=1; while [ $i -le 300 ]; do echo "out $i é $(printf '%0100d' $i)"; echo "err $i" >&2; i=$((i+1)); done`,
      `touch '${marker}'`,
      `while [ ! -e '${gate}' ]; do sleep 0.02; done`,
      `i=301; while [ $i -le 600 ]; do echo "out $i"; echo "err $i ü" >&2; i=$((i+1)); done`,
      `printf 'last line without newline'; exit 3`,
    ].join('; ');
    const view = await local.server.execute('dbx_local', command);
    const id = view.execution_id;
    const files = { stdout: join(save, `${id}.stdout`), stderr: join(save, `${id}.stderr`), summary: join(save, `${id}.json`) };
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: PATIENCE_MS, interval: 20 });

    // First run: killed with SIGKILL once the files hold the whole first half.
    const first = startCli(['dbx_local', id, '--save', save, '--max-retries', '50'], { env: env() });
    const firstDone = collect(first);
    await vi.waitFor(
      () => {
        expect(read(files.stdout).toString()).toContain('out 300 é');
        expect(read(files.stderr).toString()).toContain('err 300\n');
      },
      { timeout: PATIENCE_MS, interval: 20 },
    );
    const firstSummary = JSON.parse(readFileSync(files.summary, 'utf8')) as Record<string, unknown>;
    expect(firstSummary).toMatchObject({ execution_id: id, devbox_id: 'dbx_local', status: 'following', exit_status: null, ended_at: null });
    first.kill('SIGKILL');
    const killed = await firstDone;
    expect(killed.signal).toBe('SIGKILL');
    const sizes = { stdout: statSync(files.stdout).size, stderr: statSync(files.stderr).size };
    expect(statSync(files.stdout).mode & 0o777).toBe(0o644 & ~process.umask());

    writeFileSync(gate, '');
    await local.server.waitCompleted(id);
    const expected = { stdout: await local.server.readOutput(id, 'stdout'), stderr: await local.server.readOutput(id, 'stderr') };
    // What the killed run saved is a prefix of each stream: nothing wrong was written.
    expect(read(files.stdout).equals(expected.stdout.subarray(0, sizes.stdout))).toBe(true);
    expect(read(files.stderr).equals(expected.stderr.subarray(0, sizes.stderr))).toBe(true);

    // The rerun resumes from what the files hold: it shows only the rest, and completes the files.
    const second = await runCli(['dbx_local', id, '--save', save, '--max-retries', '50'], { env: env() });
    expect(second.status).toBe(3);
    expect(second.stdout.equals(expected.stdout.subarray(sizes.stdout))).toBe(true);
    expect(second.stderr.equals(expected.stderr.subarray(sizes.stderr))).toBe(true);
    expect(read(files.stdout).equals(expected.stdout)).toBe(true);
    expect(read(files.stderr).equals(expected.stderr)).toBe(true);

    const summary = JSON.parse(readFileSync(files.summary, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({
      devbox_id: 'dbx_local',
      execution_id: id,
      status: 'completed',
      exit_status: 3,
      stdout_bytes: expected.stdout.length,
      stderr_bytes: expected.stderr.length,
      missing_bytes: 0,
      started_at: firstSummary.started_at,
    });
    expect(Date.parse(String(summary.ended_at))).toBeGreaterThanOrEqual(Date.parse(String(summary.started_at)));
  });

  it('with --tail the view shows the last lines while the files get every byte', async () => {
    const save = join(dir, 'tail');
    const view = await local.server.execute('dbx_local', 'i=1; while [ $i -le 50 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; exit 0');
    await local.server.waitCompleted(view.execution_id);
    const result = await runCli(['dbx_local', view.execution_id, '--save', save, '--tail', '2', '--prefix'], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('stdout | line 49\nstdout | line 50\n');
    expect(readFileSync(join(save, `${view.execution_id}.stdout`)).equals(await local.server.readOutput(view.execution_id, 'stdout'))).toBe(true);
    expect(readFileSync(join(save, `${view.execution_id}.stderr`), 'utf8')).toBe('oops\n');
  });

  it('a DIR that cannot be written: one line, exit 2, nothing contacted', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const before = local.server.connections();
    for (const bad of [join(file, 'sub'), file]) {
      const result = await runCli(['dbx_local', 'exn_whatever', '--save', bad], { env: env() });
      expect(result.status).toBe(2);
      expect(result.stdout.length).toBe(0);
      const lines = result.stderr.toString().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^runloop-tail: --save .*cannot write there/);
    }
    expect(local.server.connections()).toBe(before);
  });

  it('refuses --save with explicit offsets (the files say where to resume)', async () => {
    const result = await runCli(['dbx_local', 'exn_x', '--save', join(dir, 'x'), '--stdout-offset', '5'], { env: env() });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toMatch(/--save resumes from what its files hold/);
  });
});
