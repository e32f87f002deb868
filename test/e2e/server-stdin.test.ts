/**
 * The emulator as a remote shell: attach_stdin and send_std_in (text, EOF, INTERRUPT, the 400s),
 * named shells that keep the working directory and environment and run one command at a time,
 * execution ids that stay unique when a server restarts on the same data dir, and the URL of a
 * server bound to every interface.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostForUrl, startServer, type ExecutionDetailView, type RunningServer } from '../../src/emulator/server.js';
import { isLoopbackHost } from '../../src/settings/base-url.js';
import { call, executionPath, within } from '../helpers/emulator-api.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

let server: RunningServer;
const scratch = tempDirForFile('emulator-stdin-');

beforeAll(async () => {
  server = await startServer({ port: 0, killGraceMs: 300, env: { PATH: '/usr/bin:/bin', GREETING: 'hello' } });
});
afterAll(async () => {
  await server?.close();
});

async function start(command: string, extra: Record<string, unknown> = {}): Promise<ExecutionDetailView> {
  const answer = await call(server, 'POST', '/v1/devboxes/dbx_local/execute_async', { command, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as unknown as ExecutionDetailView;
}

const send = (view: ExecutionDetailView, body: unknown) => call(server, 'POST', executionPath(view.execution_id, '/send_std_in'), body);
const finished = (view: ExecutionDetailView) => within(server.waitCompleted(view.execution_id), PATIENCE_MS, `execution ${view.execution_id}`);
const retrieve = async (view: ExecutionDetailView) => (await call(server, 'GET', executionPath(view.execution_id))).body as unknown as ExecutionDetailView;

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = PATIENCE_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('send_std_in', () => {
  it('writes text to the command and closes its stdin on EOF', async () => {
    const view = await start('wc -l; cat >/dev/null; echo done', { attach_stdin: true });
    expect(await send(view, { text: 'a\nb é\n' })).toMatchObject({ status: 200, body: { execution_id: view.execution_id, success: true } });
    expect((await send(view, { text: 'c\n' })).status).toBe(200);
    expect((await send(view, { signal: 'EOF' })).status).toBe(200);
    expect(await finished(view)).toMatchObject({ exit_status: 0, stdout: '3\ndone\n' });
  });

  it('INTERRUPT sends SIGINT to the process group', async () => {
    const view = await start(`trap 'echo caught; exit 5' INT; echo ready; while :; do sleep 0.05; done`, { attach_stdin: true });
    await until(async () => ((await server.readOutput(view.execution_id, 'stdout')).toString().includes('ready') ? true : undefined), 'ready');
    expect((await send(view, { signal: 'INTERRUPT' })).status).toBe(200);
    expect(await finished(view)).toMatchObject({ exit_status: 5, stdout: 'ready\ncaught\n' });
  });

  it('answers 400 without attach_stdin, after EOF, once completed, and for a bad body', async () => {
    const plain = await start('sleep 5');
    const noStdin = await send(plain, { text: 'x' });
    expect(noStdin).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(String(noStdin.body.message)).toContain('attach_stdin');
    await call(server, 'POST', executionPath(plain.execution_id, '/kill'), { kill_process_group: true });

    // The command outlives its stdin, so "after EOF" is certain to be asked before "completed"
    // (with a bare `cat`, the execution could complete between the two sends).
    const attached = await start('cat; sleep 600', { attach_stdin: true });
    for (const body of [{}, { text: 7 }, { signal: 'HUP' }, { text: null, signal: null }]) {
      expect((await send(attached, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await send(attached, { signal: 'EOF' })).status).toBe(200);
    expect(String((await send(attached, { text: 'late' })).body.message)).toContain('EOF');
    await call(server, 'POST', executionPath(attached.execution_id, '/kill'), { kill_process_group: true });
    await finished(attached);
    const completed = await send(attached, { signal: 'EOF' });
    expect(completed.status).toBe(400);
    expect(String(completed.body.message)).toContain('completed');
  });

  it('text to a command that has closed its stdin: 400, not a hang', async () => {
    const view = await start(`exec 0<&-; echo closed; sleep 5`, { attach_stdin: true });
    await until(async () => ((await server.readOutput(view.execution_id, 'stdout')).toString().includes('closed') ? true : undefined), 'closed');
    // A pipe buffers up to 64 KiB; the write fails once the reader is gone.
    const answer = await send(view, { text: 'x'.repeat(200_000) });
    expect(answer.status).toBe(400);
    await call(server, 'POST', executionPath(view.execution_id, '/kill'), {});
  });

  it('a command started without attach_stdin reads end-of-file', async () => {
    expect(await finished(await start('cat; echo "[$?]"'))).toMatchObject({ stdout: '[0]\n' });
  });
});

describe('named shells', () => {
  it('keep the working directory and the environment, also after exit N; unset stays unset', async () => {
    const shell = { shell_name: 'keep' };
    await finished(await start(`mkdir -p sub/dir && cd sub/dir && export WHERE="a b'c" && export GONE=1 && unset GREETING; exit 3`, shell));
    const second = await finished(await start(`pwd; echo "$WHERE|$GONE|\${GREETING-unset}"; unset GONE`, shell));
    expect(second.stdout).toMatch(/\/sub\/dir\na b'c\|1\|unset\n$/);
    const third = await finished(await start(`echo "\${GONE-unset}"; echo "$PATH"`, shell));
    expect(third.stdout).toBe('unset\n/usr/bin:/bin\n');
    // Another shell starts fresh.
    expect((await finished(await start('echo "${WHERE-none} $GREETING"', { shell_name: 'other' }))).stdout).toBe('none hello\n');
  });

  it('run one command at a time: the next waits as queued, then runs', async () => {
    const shell = { shell_name: 'one-at-a-time' };
    const gate = join(scratch, 'gate');
    const first = await start(`echo first; while [ ! -e '${gate}' ]; do sleep 0.02; done`, shell);
    const second = await start('echo second', { ...shell, attach_stdin: true });
    expect(second.status).toBe('queued');
    expect((await retrieve(second)).status).toBe('queued');
    // stdin sent to a queued execution waits for it to start.
    const sent = send(second, { signal: 'EOF' });
    await until(async () => ((await server.readOutput(first.execution_id, 'stdout')).length > 0 ? true : undefined), 'first output');
    expect((await retrieve(second)).status).toBe('queued');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(gate, '');
    expect((await sent).status).toBe(200);
    expect(await finished(second)).toMatchObject({ status: 'completed', exit_status: 0, stdout: 'second\n' });
    expect((await finished(first)).exit_status).toBe(0);
  });

  it('a queued command that is killed never runs (143)', async () => {
    const shell = { shell_name: 'kill-queued' };
    const first = await start('sleep 5', shell);
    const second = await start('echo never', shell);
    expect(second.status).toBe('queued');
    expect((await call(server, 'POST', executionPath(second.execution_id, '/kill'), {})).status).toBe(200);
    expect(await finished(second)).toMatchObject({ exit_status: 143, stdout: '' });
    await call(server, 'POST', executionPath(first.execution_id, '/kill'), {});
    expect((await finished(first)).exit_status).toBe(143);
  });
});

describe('server identity', () => {
  it('a restarted server on the same data dir never reuses an execution id', async () => {
    const dataDir = join(scratch, 'kept');
    const ids: string[] = [];
    for (let round = 0; round < 2; round++) {
      const kept = await startServer({ dataDir, seed: 3 });
      try {
        const view = await kept.execute('dbx_local', `echo round ${round}`);
        ids.push(view.execution_id);
        expect((await kept.waitCompleted(view.execution_id)).stdout).toBe(`round ${round}\n`);
      } finally {
        await kept.close();
      }
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('a server bound to every interface gives a loopback URL, one the client accepts without --insecure', () => {
    // (Tests listen on 127.0.0.1 only, so this checks the URL rule rather than binding 0.0.0.0.)
    const cases = { '0.0.0.0': '127.0.0.1', '::': '[::1]', '::1': '[::1]', '127.0.0.1': '127.0.0.1', localhost: 'localhost' };
    for (const [host, expected] of Object.entries(cases)) {
      expect(hostForUrl(host)).toBe(expected);
      expect(isLoopbackHost(new URL(`http://${hostForUrl(host)}:8080`).hostname), host).toBe(true);
    }
  });
});
