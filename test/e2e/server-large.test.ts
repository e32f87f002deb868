/**
 * A 100 MB output streams whole while the server's memory stays flat: output lives on disk and is
 * read in pieces, with back-pressure. The server runs as its own process (`runloop-tail serve`),
 * so its resident memory is measured by the kernel (peak, VmHWM), apart from this test's reader.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, executionPath, streamUrl } from '../helpers/emulator-api.js';
import { baseEnv, collect, startCli, waitForOutput, type CliResult } from '../helpers/run-cli.js';
import { readSse } from '../helpers/sse.js';
import { until } from '../helpers/wait.js';

const size = 100 * 1024 * 1024;
const line = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789 é€😀\n', 'utf8');

let child: ChildProcess;
let done: Promise<CliResult>;
let server: { url: string; apiKey: string };

beforeAll(async () => {
  child = startCli(['serve', '--port', '0', '--quiet'], { env: baseEnv() });
  done = collect(child, { timeoutMs: 300_000 });
  const exports = await waitForOutput(child, 'stdout', (out) => /^# .*\n/m.test(out));
  server = {
    url: /^export RUNLOOP_BASE_URL=(\S+)$/m.exec(exports)?.[1] ?? '',
    apiKey: /^export RUNLOOP_API_KEY=(\S+)$/m.exec(exports)?.[1] ?? '',
  };
});
afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await done?.catch(() => undefined);
});

/** A memory figure of a process, in MB, from /proc (Linux); undefined elsewhere. */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

/** The sha256 of what `yes LINE | head -c size` writes. */
function expectedDigest(): string {
  const hash = createHash('sha256');
  const block = Buffer.concat(Array.from({ length: 1000 }, () => line));
  for (let left = size; left > 0; left -= block.length) hash.update(block.subarray(0, Math.min(left, block.length)));
  return hash.digest('hex');
}

it('streams 100 MB while it is written, with flat memory', async () => {
  const pid = child.pid ?? 0;
  const baseline = memoryMb(pid, 'VmRSS');
  const started = await call(server, 'POST', '/v1/devboxes/dbx_local/execute_async', {
    command: `yes '${line.toString('utf8').trimEnd()}' | head -c ${size}`,
  });
  expect(started.status).toBe(200);
  const id = String(started.body.execution_id);
  const hash = createHash('sha256');
  let received = 0;
  let next = 0;
  let problem: string | undefined;
  const result = await readSse(streamUrl(server, id, 'stdout', 0), {
    apiKey: server.apiKey,
    timeoutMs: 240_000,
    keepRaw: false,
    keepChunks: false,
    onChunk: (chunk) => {
      const bytes = Buffer.from(chunk.output, 'utf8');
      if (chunk.offset - bytes.length !== next) problem ??= `chunk at ${chunk.offset} does not follow ${next}`;
      next = chunk.offset;
      received += bytes.length;
      hash.update(bytes);
    },
  });
  expect(result.ending).toBe('clean');
  expect(problem).toBeUndefined();
  expect(received).toBe(size);
  expect(hash.digest('hex')).toBe(expectedDigest());
  const view = await until(async () => {
    const answer = await call(server, 'GET', executionPath(id));
    return answer.body.status === 'completed' ? answer.body : undefined;
  }, 'completion');
  expect(view.exit_status).toBe(0);
  // The server's peak resident memory over the whole stream, against its size when idle: a
  // server that held the output in memory would grow by at least the output's size.
  const peak = memoryMb(pid, 'VmHWM');
  if (baseline !== undefined && peak !== undefined) {
    console.log(`server RSS ${baseline.toFixed(0)} MB idle, ${peak.toFixed(0)} MB at peak while streaming 100 MB`);
    expect(peak - baseline).toBeLessThan(100);
  }
});
