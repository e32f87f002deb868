/**
 * `--save DIR` when the command writes bytes that are not UTF-8: they arrive as U+FFFD, a text
 * longer than the bytes it stands for, so the files are longer than the service's offsets. A follow
 * killed with SIGKILL and run again with the same DIR must resume from the offset the files'
 * bytes reach, not from their sizes: the files end exactly as one uninterrupted --save follow
 * leaves them. Under both offset meanings, with cuts, resends and error answers. Each server is
 * this file's own, so its faults touch no other test.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffsetMode } from '../../src/emulator/server.js';
import { collect, runCli, startCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { Gates, PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const serverFor = (offsetMode: OffsetMode) =>
  localServerForFile({
    start: {
      seed: 11,
      offsetMode,
      chunkSize: [1, 700],
      cutProbability: 0.03,
      resendProbability: 0.5,
      resendBytes: 200,
      errorProbability: 0.1,
      errorStatuses: [408, 503],
      retryAfterSeconds: 0,
    },
  });
const servers = { end: serverFor('end'), start: serverFor('start') };
const dir = tempDirForFile('rt-save-replaced-');
const gates = new Gates();
afterAll(() => gates.remove());

const read = (path: string) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));

/**
 * Lines holding lone bytes that are not UTF-8 (FF, FE, E9 before a space or newline: each one
 * U+FFFD however the stream is cut) next to valid é and ü, on both streams.
 */
const lines = (from: number, to: number) =>
  `i=${from}; while [ $i -le ${to} ]; do printf 'out %d \\377\\376 caf\\351 é\\n' $i; printf 'err %d \\351t\\351 ü\\n' $i >&2; i=$((i+1)); done`;

describe.each(['end', 'start'] as const)('--save with output that is not UTF-8 (%s offsets, cuts and resends)', (offsetMode) => {
  it('a rerun after kill -9 resumes where the files reach in the stream: the files equal an uninterrupted save', async () => {
    const { server } = servers[offsetMode];
    const env = servers[offsetMode].env();
    const marker = gates.gate('marker');
    const gate = gates.gate('gate');
    const command = [
      lines(1, 150),
      `echo 'first half done'; echo 'first half done' >&2`,
      `touch '${marker.path}'`,
      gate.wait,
      lines(151, 300),
      `printf 'last \\377'; printf 'last \\376' >&2; exit 3`,
    ].join('; ');
    const { execution_id: id } = await server.execute('dbx_local', command);
    const killedDir = join(dir, `${offsetMode}-killed`);
    const files = (base: string) => ({ stdout: join(base, `${id}.stdout`), stderr: join(base, `${id}.stderr`), summary: join(base, `${id}.json`) });
    const killedFiles = files(killedDir);
    await vi.waitFor(() => expect(existsSync(marker.path)).toBe(true), { timeout: PATIENCE_MS, interval: 20 });

    // First run: killed with SIGKILL once the files hold the whole first half.
    const first = startCli(['dbx_local', id, '--save', killedDir, '--max-retries', '50'], { env });
    const firstDone = collect(first);
    await vi.waitFor(
      () => {
        expect(read(killedFiles.stdout).toString()).toContain('first half done\n');
        expect(read(killedFiles.stderr).toString()).toContain('first half done\n');
      },
      { timeout: PATIENCE_MS, interval: 20 },
    );
    first.kill('SIGKILL');
    expect((await firstDone).signal).toBe('SIGKILL');
    // The files are longer than the offsets they reach: resuming from their sizes would skip bytes.
    const killedSummary = JSON.parse(readFileSync(killedFiles.summary, 'utf8')) as { resume: Record<'stdout' | 'stderr', { bytes: number; offset: number }> };
    for (const stream of ['stdout', 'stderr'] as const) {
      const point = killedSummary.resume[stream];
      expect(point.bytes).toBeGreaterThan(point.offset);
      expect(point.bytes).toBeLessThanOrEqual(read(killedFiles[stream]).length);
    }

    gate.open();
    await server.waitCompleted(id);
    const original = { stdout: await server.readOutput(id, 'stdout'), stderr: await server.readOutput(id, 'stderr') };

    // The reference: one uninterrupted --save follow.
    const wholeDir = join(dir, `${offsetMode}-whole`);
    const whole = await runCli(['dbx_local', id, '--save', wholeDir, '--max-retries', '50'], { env });
    expect(whole.status).toBe(3);
    const wholeFiles = files(wholeDir);
    for (const stream of ['stdout', 'stderr'] as const) {
      // Each byte that is not UTF-8 became one U+FFFD, nothing else changed.
      expect(read(wholeFiles[stream]).equals(Buffer.from(original[stream].toString('utf8')))).toBe(true);
      expect(whole[stream].equals(read(wholeFiles[stream]))).toBe(true);
    }

    // The rerun: the view shows exactly what follows the recorded point, the files end as the reference's.
    const second = await runCli(['dbx_local', id, '--save', killedDir, '--max-retries', '50'], { env });
    expect(second.status).toBe(3);
    for (const stream of ['stdout', 'stderr'] as const) {
      expect(read(killedFiles[stream]).equals(read(wholeFiles[stream]))).toBe(true);
      expect(second[stream].equals(read(wholeFiles[stream]).subarray(killedSummary.resume[stream].bytes))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(killedFiles.summary, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: 'completed',
      exit_status: 3,
      stdout_bytes: read(wholeFiles.stdout).length,
      stderr_bytes: read(wholeFiles.stderr).length,
      missing_bytes: 0,
    });

    // Once more on a completed save: nothing new, nothing repeated, the same status.
    const third = await runCli(['dbx_local', id, '--save', killedDir, '--max-retries', '50'], { env });
    expect(third.status).toBe(3);
    expect(read(killedFiles.stdout).equals(read(wholeFiles.stdout))).toBe(true);
    expect(read(killedFiles.stderr).equals(read(wholeFiles.stderr))).toBe(true);
  });
});
