/**
 * `runloop-tail serve` as a child process: prints exports a shell can eval, answers the API, and on
 * SIGTERM stops with its child processes gone. Needs the built CLI (npm test builds it).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { baseEnv, collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { call, streamUrl } from '../helpers/emulator-api.js';
import { readSse } from '../helpers/sse.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function serve(args: string[], env = baseEnv()): ChildProcess {
  const child = startCli(['serve', ...args], { env });
  children.push(child);
  return child;
}

async function exportsOf(child: ChildProcess): Promise<{ url: string; apiKey: string; text: string }> {
  const text = await waitForOutput(child, 'stdout', (out) => /^# .*\n/m.test(out));
  const url = /^export RUNLOOP_BASE_URL=(\S+)$/m.exec(text)?.[1];
  const apiKey = /^export RUNLOOP_API_KEY=(\S+)$/m.exec(text)?.[1];
  if (url === undefined || apiKey === undefined) throw new Error(`no exports in ${text}`);
  return { url, apiKey, text };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runloop-tail serve', () => {
  it('prints shell exports, serves the API, and stops its children on SIGTERM', async () => {
    const child = serve(['--port', '0', '--devbox', 'dbx_extra']);
    const done = collect(child);
    const { url, apiKey, text } = await exportsOf(child);
    expect(text.split('\n').slice(0, 3).join('\n')).toMatch(
      /^export RUNLOOP_BASE_URL=http:\/\/127\.0\.0\.1:\d+\nexport RUNLOOP_API_KEY=\S+\n# .*dbx_local, dbx_extra/,
    );
    const server = { url, apiKey };
    // `exec` keeps the shell's pid for sleep, so the pid printed is the process to look for later.
    const started = await call(server, 'POST', '/v1/devboxes/dbx_extra/execute_async', { command: 'echo $$; exec sleep 300' });
    expect(started.status).toBe(200);
    const id = String(started.body.execution_id);
    let pid = 0;
    await readSse(streamUrl(server, id, 'stdout', 0, 'dbx_extra'), {
      apiKey,
      onChunk: (chunk) => {
        pid = Number.parseInt(chunk.output, 10);
        return true;
      },
    });
    expect(alive(pid)).toBe(true);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.status).toBe(0);
    expect(alive(pid)).toBe(false);
    // The request log went to stderr, stdout holds only the exports.
    expect(result.stderr.toString()).toMatch(/POST \/v1\/devboxes\/dbx_extra\/execute_async 200/);
    expect(result.stdout.toString().trim().split('\n')).toHaveLength(3);
  });

  it('takes the key from RUNLOOP_API_KEY and quotes it for the shell', async () => {
    const child = serve(['--quiet', '--offset-mode', 'start', '--chunk-size', '2-8', '--seed', '3'], baseEnv({ RUNLOOP_API_KEY: "my key's" }));
    const done = collect(child);
    const text = await waitForOutput(child, 'stdout', (out) => /^# /m.test(out));
    expect(text).toContain(`export RUNLOOP_API_KEY='my key'\\''s'`);
    const url = /^export RUNLOOP_BASE_URL=(\S+)$/m.exec(text)?.[1] ?? '';
    const answer = await call({ url, apiKey: "my key's" }, 'GET', '/v1/devboxes/dbx_local/executions/exn_none');
    expect(answer.status).toBe(404);
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(0);
    expect(result.stderr.toString()).toBe('');
  });

  it('says so when the port is taken (exit status 255)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const result = await runCli(['serve', '--port', String(port)], {});
      expect(result.status).toBe(255);
      expect(result.stderr.toString()).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it.each([
    { args: ['--chunk-size', '0'], says: '--chunk-size' },
    { args: ['--chunk-size', '9-3'], says: '--chunk-size' },
    { args: ['--port', '70000'], says: '--port' },
    { args: ['--offset-mode', 'middle'], says: '--offset-mode' },
    { args: ['--cut-probability', '1.5'], says: '--cut-probability' },
    { args: ['--error-statuses', '200'], says: '--error-statuses' },
    { args: ['--seed', 'abc'], says: '--seed' },
    { args: ['--resend-probability', '0.5'], says: '--resend-bytes' },
  ])('refuses $args with exit status 2 and one line naming the flag', async ({ args, says }) => {
    const result = await runCli(['serve', ...args], {});
    expect(result.status).toBe(2);
    const lines = result.stderr.toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(says);
    expect(result.stdout.length).toBe(0);
  });
});
