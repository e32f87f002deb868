/**
 * `--tail N` against the real local server: the last N lines of a completed execution exactly, and
 * of a running one's backlog followed by everything after it, through cuts, resends and both
 * offset meanings. Faults go back to the server's defaults after every test, so they touch no other.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFaults } from '../../src/emulator/faults.js';
import type { FaultOptions } from '../../src/emulator/server.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const local = localServerForFile({ resetFaultsAfterEach: true });
const dir = tempDirForFile('rt-tail-');

const env = () => local.env();
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
    local.server.setFaults(hostile(seed, offsetMode));
    try {
      const command = `i=1; while [ $i -le 40 ]; do echo "out $i é"; echo "err $i é" >&2; i=$((i+1)); done; printf 'no newline'; exit 7`;
      const view = await local.server.execute('dbx_local', command);
      await local.server.waitCompleted(view.execution_id);
      const result = await runCli(['dbx_local', view.execution_id, '--tail', '3', '--max-retries', '50'], { env: env() });
      expect(result.stdout.toString()).toBe('out 39 é\nout 40 é\nno newline');
      expect(result.stderr.toString()).toBe(numbered('err', 38, 40));
      expect(result.status).toBe(7);
    } finally {
      local.server.setFaults(defaultFaults);
    }
  });

  it('-n 2 in the --json view: two records per stream, then the exit', async () => {
    const view = await local.server.execute('dbx_local', 'printf "a\\nb\\nc\\n"; printf "x\\ny\\n" >&2');
    await local.server.waitCompleted(view.execution_id);
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
    const view = await local.server.execute('dbx_local', command);
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: PATIENCE_MS, interval: 20 });
    const child = startCli(['dbx_local', view.execution_id, '--tail', lines, '--max-retries', '50', ...extra], { env: env() });
    const done = collect(child);
    return { child, done, open: () => writeFileSync(gate, '') };
  }

  /**
   * Where the first burst ends is the follower's reading of "what was written so far" (a quiet
   * spell while connected): on a starved machine it may come before the end of the backlog. So the
   * follow runs in the --json view with --verbose: stdout holds only the records (text with
   * offsets), stderr only our notes, which say where each stream's burst ended. From that the output
   * is checked exactly: the last N lines of what had arrived, then every byte after, no gap, no repeat.
   */
  const burstNote = (stream: string, lines: number) =>
    new RegExp(`runloop-tail: ${stream}: ${lines === 0 ? 'no lines to show' : `the last ${lines} lines from byte (\\d+)`}, live from byte (\\d+)\n`);
  const startOfLastLines = (bytes: Buffer, count: number): number => {
    let start = bytes.length;
    for (let seen = 0; start > 0; start--) {
      if (bytes[start - 1] === 0x0a && start !== bytes.length && ++seen === count) break;
    }
    return start;
  };
  /** Each stream's text as the --json records carry it, and the offset of its first record. */
  const streamsOf = (stdout: string) => {
    const result = { stdout: { text: '', first: -1 }, stderr: { text: '', first: -1 } };
    for (const line of stdout.split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as { stream?: 'stdout' | 'stderr'; text?: string; offset?: number };
      if (record.stream === undefined || record.text === undefined) continue;
      const into = result[record.stream];
      if (into.first < 0) into.first = record.offset ?? -1;
      into.text += record.text;
    }
    return result;
  };
  const completeLines = (stdout: string) => stdout.slice(0, stdout.lastIndexOf('\n') + 1);

  async function followRunning(lines: number, seed: number) {
    const { child, done, open } = await runningCase(String(lines), seed, ['--json', '--verbose']);
    // Listen to both outputs from the start: what came before a listener is not seen by it.
    const backlogTail =
      lines === 0 ? Promise.resolve('') : waitForOutput(child, 'stdout', (text) => /out 20 é\\n/.test(completeLines(text)) && /err 20 é\\n/.test(completeLines(text)));
    const notes = await waitForOutput(child, 'stderr', (text) => burstNote('stdout', lines).test(text) && burstNote('stderr', lines).test(text));
    const from = { stdout: 0, stderr: 0 };
    for (const [stream, word] of [['stdout', 'out'], ['stderr', 'err']] as const) {
      const match = burstNote(stream, lines).exec(notes) ?? [];
      const receivedTo = Number(match.at(-1));
      const shownFrom = lines === 0 ? receivedTo : Number(match[1]);
      // The lines shown are the last N of what had arrived when the burst ended.
      expect(shownFrom).toBe(lines === 0 ? receivedTo : startOfLastLines(Buffer.from(numbered(word, 1, 20)).subarray(0, receivedTo), lines));
      from[stream] = shownFrom;
    }
    return { done, open, from, soFar: streamsOf(completeLines(await backlogTail)) };
  }
  const expectStream = (text: string, word: string, to: number, from: number) =>
    expect(Buffer.from(text)).toEqual(Buffer.from(numbered(word, 1, to)).subarray(from));

  it.each([
    [21, 'end'],
    [22, 'start'],
  ] as const)('shows the last 3 lines of the backlog, then everything after (seed %i, %s offsets)', async (seed, offsetMode) => {
    local.server.setFaults(hostile(seed, offsetMode));
    try {
      // Before the gate opens, the backlog's tail is all there is (on a machine that is not
      // starved: lines 18–20 of each stream).
      const { done, open, from, soFar } = await followRunning(3, seed);
      expectStream(soFar.stdout.text, 'out', 20, from.stdout);
      expectStream(soFar.stderr.text, 'err', 20, from.stderr);
      open();
      const result = await done;
      const all = streamsOf(result.stdout.toString());
      expectStream(all.stdout.text, 'out', 23, from.stdout);
      expectStream(all.stderr.text, 'err', 23, from.stderr);
      expect([all.stdout.first, all.stderr.first]).toEqual([from.stdout, from.stderr]);
      expect(result.status).toBe(4);
    } finally {
      local.server.setFaults(defaultFaults);
    }
  });

  it('--tail 0 shows only what is written after the follow began', async () => {
    const { done, open, from } = await followRunning(0, 23);
    open();
    const result = await done;
    // Nothing of what had arrived when the burst ended, every byte after (lines 21–23 here).
    const all = streamsOf(result.stdout.toString());
    expectStream(all.stdout.text, 'out', 23, from.stdout);
    expectStream(all.stderr.text, 'err', 23, from.stderr);
    expect(result.status).toBe(4);
  });
});
