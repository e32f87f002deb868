/**
 * `--tail N` against the real local server: the last N lines of a completed execution exactly, and
 * of a running one's backlog followed by everything after it, through cuts, resends and both
 * offset meanings. Faults go back to the server's defaults after every test, so they touch no other.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFaults } from '../../src/emulator/faults.js';
import { startServer, type FaultOptions, type RunningServer } from '../../src/emulator/server.js';
import { baseEnv, collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { PATIENCE_MS } from '../helpers/wait.js';

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-tail-'));
  server = await startServer({ port: 0, env: baseEnv() });
});
afterEach(() => server.setFaults(defaultFaults));
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => baseEnv({ RUNLOOP_API_KEY: server.apiKey, RUNLOOP_BASE_URL: server.url });
const numbered = (word: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${word} ${from + i} é\n`).join('');
// Cuts mid-event, resends before the requested offset, tiny events, error answers; no stalls (a stall
// inside the backlog of a running execution is indistinguishable from the command's own pause).
const hostile = (seed: number, offsetMode: 'end' | 'start'): FaultOptions => ({
  seed,
  offsetMode,
  chunkSize: [1, 9],
  cutProbability: 0.04,
  resendProbability: 0.5,
  resendBytes: 30,
  errorProbability: 0.2,
  errorStatuses: [408, 500],
  retryAfterSeconds: 0,
  stallProbability: 0,
});

describe('--tail on a completed execution', () => {
  it.each([
    [11, 'end'],
    [12, 'start'],
  ] as const)('shows exactly the last 3 lines of each stream (seed %i, %s offsets), then exits with its status', async (seed, offsetMode) => {
    server.setFaults(hostile(seed, offsetMode));
    try {
      const command = `i=1; while [ $i -le 40 ]; do echo "out $i é"; echo "err $i é" >&2; i=$((i+1)); done; printf 'no newline'; exit 7`;
      const view = await server.execute('dbx_local', command);
      await server.waitCompleted(view.execution_id);
      const result = await runCli(['dbx_local', view.execution_id, '--tail', '3', '--max-retries', '50'], { env: env() });
      expect(result.stdout.toString()).toBe('out 39 é\nout 40 é\nno newline');
      expect(result.stderr.toString()).toBe(numbered('err', 38, 40));
      expect(result.status).toBe(7);
    } finally {
      server.setFaults(defaultFaults);
    }
  });

  it('-n 2 in the --json view: two records per stream, then the exit', async () => {
    const view = await server.execute('dbx_local', 'printf "a\\nb\\nc\\n"; printf "x\\ny\\n" >&2');
    await server.waitCompleted(view.execution_id);
    const result = await runCli(['dbx_local', view.execution_id, '-n', '2', '--json'], { env: env() });
    const records = result.stdout
      .toString()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream?: string; text?: string; offset?: number; event?: string });
    expect(records.filter((r) => r.stream === 'stdout').map((r) => [r.text, r.offset])).toEqual([
      ['b\n', 2],
      ['c\n', 4],
    ]);
    expect(records.filter((r) => r.stream === 'stderr').map((r) => [r.text, r.offset])).toEqual([
      ['x\n', 0],
      ['y\n', 2],
    ]);
    expect(records.at(-1)).toEqual({ event: 'exit', exit_status: 0 });
    expect(result.status).toBe(0);
  });
});

describe('--tail on a running execution', () => {
  /**
   * The command writes 20 lines to each stream, then a marker file, then waits for a gate file the
   * test creates once the tail has shown the backlog's last lines; then it writes 3 more and exits.
   */
  async function runningCase(lines: string, seed: number, extra: string[] = []) {
    const marker = join(dir, `marker-${seed}-${lines}`);
    const gate = join(dir, `gate-${seed}-${lines}`);
    const command = [
      `i=1; while [ $i -le 20 ]; do echo "out $i é"; echo "err $i é" >&2; i=$((i+1)); done`,
      `touch '${marker}'`,
      `while [ ! -e '${gate}' ]; do sleep 0.02; done`,
      `i=21; while [ $i -le 23 ]; do echo "out $i é"; echo "err $i é" >&2; i=$((i+1)); done`,
      'exit 4',
    ].join('; ');
    const view = await server.execute('dbx_local', command);
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: PATIENCE_MS, interval: 20 });
    const child = startCli(['dbx_local', view.execution_id, '--tail', lines, '--max-retries', '50', ...extra], { env: env() });
    const done = collect(child);
    return { child, done, open: () => writeFileSync(gate, '') };
  }

  it.each([
    [21, 'end'],
    [22, 'start'],
  ] as const)('shows the last 3 lines of the backlog, then everything after (seed %i, %s offsets)', async (seed, offsetMode) => {
    server.setFaults(hostile(seed, offsetMode));
    try {
      const { child, done, open } = await runningCase('3', seed);
      // The backlog's tail arrives while the command still waits: it is all there is so far.
      const [stdoutSoFar, stderrSoFar] = await Promise.all([
        waitForOutput(child, 'stdout', (text) => text.includes('out 20 é\n')),
        waitForOutput(child, 'stderr', (text) => text.includes('err 20 é\n')),
      ]);
      expect(stdoutSoFar).toBe(numbered('out', 18, 20));
      expect(stderrSoFar).toBe(numbered('err', 18, 20));
      open();
      const result = await done;
      expect(result.stdout.toString()).toBe(numbered('out', 18, 23));
      expect(result.stderr.toString()).toBe(numbered('err', 18, 23));
      expect(result.status).toBe(4);
    } finally {
      server.setFaults(defaultFaults);
    }
  });

  it('--tail 0 shows only what is written after the follow began', async () => {
    const { child, done, open } = await runningCase('0', 23, ['--verbose']);
    // The gate opens once both streams have ended their first burst (said with --verbose).
    await waitForOutput(child, 'stderr', (text) => /stdout: no lines to show/.test(text) && /stderr: no lines to show/.test(text));
    open();
    const result = await done;
    const ours = /^runloop-tail: .*\n/gm;
    expect(result.stdout.toString()).toBe(numbered('out', 21, 23));
    expect(result.stderr.toString().replace(ours, '')).toBe(numbered('err', 21, 23));
    expect(result.status).toBe(4);
  });
});
