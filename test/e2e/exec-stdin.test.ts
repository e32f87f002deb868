/**
 * `exec` as a remote shell, the real CLI against the real local server: stdin forwarded from a
 * pipe, a file and /dev/null (and not with -n), non-UTF-8 input refused, sends retried only when
 * they cannot have arrived, --detach, status and kill.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, collect, runCli, startCli, waitForOutput, type CliResult } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { PATIENCE_MS, until } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const local = localServerForFile({ start: { killGraceMs: 500 } });
const dir = tempDirForFile('rt-exec-stdin-');

const env = (url = local.server.url) => local.env({ RUNLOOP_BASE_URL: url });

/** Runs the CLI with stdin opened from a file (a regular file or /dev/null), not a pipe. */
function runWithStdinFile(args: readonly string[], path: string): Promise<CliResult> {
  const fd = openSync(path, 'r');
  try {
    const child = spawn(process.execPath, [cliPath, ...args], { env: env(), stdio: [fd, 'pipe', 'pipe'] });
    return collect(child, { timeoutMs: PATIENCE_MS });
  } finally {
    closeSync(fd);
  }
}

const executionIdIn = (text: string) => /exn_\w+/.exec(text)?.[0] ?? '';

describe('exec forwards stdin', () => {
  it('from a pipe: printf a\\nb | exec -- wc -l prints 2', async () => {
    const result = await runCli(['exec', 'dbx_local', '--', 'wc -l'], { env: env(), input: 'a\nb\n' });
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString().trim()).toBe('2');
    expect(result.status).toBe(0);
  });

  it('10 MB through sha256sum on the remote equals the local digest (multi-byte characters across pieces)', async () => {
    const line = 'é€😀 runloop-tail stdin — the quick brown fox\n';
    const input = Buffer.from(line.repeat(Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(line))));
    const result = await runCli(['exec', 'dbx_local', '--', 'sha256sum'], { env: env(), input, timeoutMs: 120_000 });
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString().split(' ')[0]).toBe(createHash('sha256').update(input).digest('hex'));
    expect(result.status).toBe(0);
  }, 130_000);

  it('from a file, and /dev/null sends EOF at once', async () => {
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const fromFile = await runWithStdinFile(['exec', 'dbx_local', '--', 'sort -r'], file);
    expect(fromFile.stdout.toString()).toBe('two\nthree\none\n');
    const fromNull = await runWithStdinFile(['exec', 'dbx_local', '--', 'cat; echo "[eof $?]"'], '/dev/null');
    expect(fromNull.stdout.toString()).toBe('[eof 0]\n');
    expect(fromNull.status).toBe(0);
  });

  it('-n/--no-stdin: the command reads nothing', async () => {
    const result = await runCli(['exec', '-n', 'dbx_local', '--', 'cat; echo "[none]"'], { env: env(), input: 'not sent\n' });
    expect(result.stdout.toString()).toBe('[none]\n');
  });

  it('the follow ends with the execution while stdin is still open', async () => {
    const child = startCli(['exec', 'dbx_local', '--', 'head -n 1; echo done'], { env: env() });
    child.stdin?.write('first\n'); // and the pipe stays open: collect() is not given the input
    const stdout: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(Buffer.concat(stdout).toString()).toBe('first\ndone\n');
    expect(status).toBe(0);
  });

  it('a file that is not UTF-8: exit 2 before anything starts', async () => {
    const file = join(dir, 'latin1.txt');
    writeFileSync(file, Buffer.from('caf\xe9\n', 'latin1'));
    const result = await runWithStdinFile(['exec', 'dbx_local', '--', 'cat'], file);
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toMatch(/^runloop-tail: stdin is not UTF-8 \(byte 3\)[^\n]*nothing was started[^\n]*\n$/);
    expect(result.stdout.length).toBe(0);
  });

  it('a pipe that turns out not to be UTF-8: exit 255 once started, saying how much was sent', async () => {
    const result = await runCli(['exec', 'dbx_local', '--', 'cat'], { env: env(), input: Buffer.concat([Buffer.from('abc'), Buffer.from([0xff]), Buffer.from('def')]) });
    expect(result.status).toBe(255);
    const stderr = result.stderr.toString();
    expect(stderr).toMatch(/stdin is not UTF-8 at byte 3[^\n]*3 bytes of stdin were delivered[^\n]*runloop-tail kill dbx_local exn_\w+\n$/);
    await runCli(['kill', 'dbx_local', executionIdIn(stderr)], { env: env() });
  });
});

/**
 * A proxy in front of the emulator that answers some send_std_in requests itself: `before` ones
 * with 429 without passing them on (they never reach the command), `after` ones with 502 after the
 * emulator has taken them (the text did arrive, the answer did not).
 */
async function faultyProxy(plan: { refuseFirst: number; failAfterApplying: readonly number[] }): Promise<{ url: string; close: () => Promise<void>; sends: () => number }> {
  const target = new URL(local.server.url);
  let sends = 0;
  const proxy: Server = createServer((request, response) => {
    const isSend = (request.url ?? '').endsWith('/send_std_in');
    const index = isSend ? sends++ : -1;
    if (isSend && index < plan.refuseFirst) {
      request.resume();
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"message":"slow down"}');
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers },
      (answer) => {
        if (isSend && plan.failAfterApplying.includes(index)) {
          answer.resume();
          response.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"bad gateway"}');
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  const { url, close } = await listenOnLoopback(proxy);
  return { url, sends: () => sends, close };
}

describe('exec retries stdin without duplicating it', () => {
  it('sends refused before reaching the command (429) are resent: the input arrives exactly once', async () => {
    const proxy = await faultyProxy({ refuseFirst: 3, failAfterApplying: [] });
    try {
      const result = await runCli(['exec', 'dbx_local', '--', 'cat'], { env: env(proxy.url), input: 'once\n' });
      expect(result.stdout.toString()).toBe('once\n');
      expect(result.status).toBe(0);
      expect(proxy.sends()).toBeGreaterThanOrEqual(5); // 3 refused, the text, EOF
    } finally {
      await proxy.close();
    }
  });

  it('a send that may have arrived (502 after the service took it) is not resent: exit 255 and why', async () => {
    const proxy = await faultyProxy({ refuseFirst: 0, failAfterApplying: [0] });
    try {
      const result = await runCli(['exec', 'dbx_local', '--', 'cat'], { env: env(proxy.url), input: 'only once\n' });
      expect(result.status).toBe(255);
      const stderr = result.stderr.toString();
      expect(stderr).toMatch(/sending stdin bytes 0-10 failed in a way that leaves unknown whether it arrived[^\n]*not resent[^\n]*0 bytes of stdin were delivered/);
      expect(result.stdout.toString()).toBe('only once\n'.repeat(result.stdout.length > 0 ? 1 : 0)); // never twice
      const id = executionIdIn(stderr);
      // The send arrived once: cat echoes it. Killed only after the echo is there (cat never gets
      // EOF, the follower is gone), else a busy machine kills cat before it wrote and nothing shows.
      await until(async () => ((await local.server.readOutput(id, 'stdout')).length >= 'only once\n'.length ? true : undefined), 'cat to echo the send');
      await runCli(['kill', 'dbx_local', id], { env: env() });
      const view = await local.server.waitCompleted(id);
      expect((await local.server.readOutput(view.execution_id, 'stdout')).toString()).toBe('only once\n');
    } finally {
      await proxy.close();
    }
  });
});

describe('--detach, status and kill', () => {
  it('--detach prints the id (a JSON object with --json); status and kill --process-group follow it to 143', async () => {
    const detached = await runCli(['exec', '--detach', 'dbx_local', '--', 'echo started; sleep 30 & wait'], { env: env() });
    expect(detached.status).toBe(0);
    const id = detached.stdout.toString().trim();
    expect(id).toMatch(/^exn_\w+$/);
    const running = await runCli(['status', 'dbx_local', id], { env: env() });
    expect(running).toMatchObject({ status: 0 });
    expect(running.stdout.toString()).toMatch(new RegExp(`^${id} on dbx_local: (queued|running)\\n$`));
    const killed = await runCli(['kill', '--process-group', 'dbx_local', id], { env: env() });
    expect(killed.status).toBe(0);
    expect(killed.stdout.length + killed.stderr.length).toBe(0);
    await local.server.waitCompleted(id);
    const done = await runCli(['status', 'dbx_local', id], { env: env() });
    expect(done.status).toBe(143);
    expect(done.stdout.toString()).toBe(`${id} on dbx_local: completed, exit status 143\n`);
    const json = await runCli(['status', '--json', 'dbx_local', id], { env: env() });
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ execution_id: id, status: 'completed', exit_status: 143, stdout: 'started\n' });
    expect(json.status).toBe(143);

    const asJson = await runCli(['exec', '-d', '--json', 'dbx_local', '--', 'true'], { env: env() });
    expect(JSON.parse(asJson.stdout.toString())).toMatchObject({ devbox_id: 'dbx_local', execution_id: expect.stringMatching(/^exn_/) as unknown });
  });

  it('status and kill of an unknown execution: 255 and one line', async () => {
    for (const command of ['status', 'kill']) {
      const result = await runCli([command, 'dbx_local', 'exn_missing'], { env: env() });
      expect(result.status).toBe(255);
      expect(result.stderr.toString()).toMatch(/^runloop-tail: execution exn_missing on devbox dbx_local was not found \(404\)[^\n]*\n$/);
    }
  });

  it('--detach with --interrupt is a usage error; so is -i with -n', async () => {
    expect((await runCli(['exec', '-d', '--interrupt', 'dbx_local', '--', 'true'], { env: env() })).status).toBe(2);
    expect((await runCli(['exec', '-i', '-n', 'dbx_local', '--', 'true'], { env: env() })).status).toBe(2);
  });
});

describe('Ctrl-C in a pipe', () => {
  it('--kill-on-interrupt kills the process group, shows the rest of the output, exits with the remote status', async () => {
    const child = startCli(['exec', 'dbx_local', '--kill-on-interrupt', '--', `trap 'echo bye; exit 143' TERM; echo ready; while :; do sleep 0.05; done`], { env: env() });
    const done = collect(child, { timeoutMs: PATIENCE_MS });
    await waitForOutput(child, 'stdout', (text) => text.includes('ready\n'));
    child.kill('SIGINT');
    const result = await done;
    expect(result.stdout.toString()).toBe('ready\nbye\n');
    expect(result.stderr.toString()).toMatch(/killed exn_\w+ \(its process group\)/);
    expect(result.status).toBe(143);
  });

  it('--interrupt sends Ctrl-C to the remote command and keeps following', async () => {
    const child = startCli(['exec', 'dbx_local', '--interrupt', '--', `trap 'echo caught; exit 7' INT; echo ready; while :; do sleep 0.05; done`], { env: env() });
    const done = collect(child, { timeoutMs: PATIENCE_MS });
    await waitForOutput(child, 'stdout', (text) => text.includes('ready\n'));
    child.kill('SIGINT');
    const result = await done;
    expect(result.stdout.toString()).toBe('ready\ncaught\n');
    expect(result.status).toBe(7);
  });
});
