/**
 * Never hang, never let the service write to the terminal or the shell: the real CLI against small
 * servers that each misbehave in one way. Every run has a time limit (the CLI is killed and the test
 * fails past it); durations are not asserted beyond that generous bound.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { every, json, openStream, view, withHostileApi, type HostileHandler } from '../helpers/hostile-api.js';
import { cliPath, collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { cliCommand, runOnPty } from '../helpers/tty.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

/**
 * Only there to prove "does not hang": the suite's one patience, far above what any of these runs
 * needs. How soon each ends (the idle time-out plus the drain probe) is checked exactly, on a fake
 * clock, in test/unit/follow-stream-drain.test.ts.
 */
const LIMIT_MS = PATIENCE_MS;
/** Each run that could write to a home gets a folder of its own in here. */
const temp = tempDirForFile('rt-hostile-');


/** A completed execution (exit 3) whose stdout is 'all of it\n'; `after` decides what a stream does once its bytes are sent. */
function completedWith(after: (req: Parameters<HostileHandler>[1], res: Parameters<HostileHandler>[2]) => void): HostileHandler {
  return (route, req, res) => {
    if (route.action === '') return view(res, route, 'completed', 3);
    const first = route.action === 'stream_stdout_updates' && route.offset === 0;
    openStream(res, first ? [['all of it\n', 10]] : []);
    after(req, res);
  };
}

describe('a finished stream the service does not close', () => {
  it.each([
    ['kept open in silence', completedWith(() => {})],
    ['kept open with keep-alives', completedWith((req, res) => every(req, 50, () => res.write(': keep-alive\n\n')))],
    ['trickling one byte at a time', completedWith((req, res) => {
      res.write(':');
      every(req, 50, () => res.write('x'));
    })],
    ['resending what was already sent', completedWith((req, res) => {
      if (req.url?.includes('stream_stdout')) every(req, 50, () => res.write(`data: ${JSON.stringify({ output: 'all of it\n', offset: 10 })}\n\n`));
    })],
  ])('%s: ends with the remote status, nothing lost or repeated', async (_name, handler) => {
    await withHostileApi(handler, async (_api, env) => {
      const result = await runCli(['dbx_1', 'exn_1', '--idle-timeout', '0.5'], { env, timeoutMs: LIMIT_MS });
      expect(result.stdout.toString()).toBe('all of it\n');
      expect(result.stderr.toString()).toBe('');
      expect(result.status).toBe(3);
    });
  });

  it('a stream that completes while a keep-alive connection is open ends too', async () => {
    let statusCalls = 0;
    const handler: HostileHandler = (route, req, res) => {
      // Running for the first two status checks, then completed.
      if (route.action === '') return view(res, route, ++statusCalls > 2 ? 'completed' : 'running', statusCalls > 2 ? 0 : null);
      openStream(res, route.action === 'stream_stdout_updates' && route.offset === 0 ? [['x\n', 2]] : []);
      every(req, 50, () => res.write(': keep-alive\n\n'));
    };
    await withHostileApi(handler, async (_api, env) => {
      const result = await runCli(['dbx_1', 'exn_1', '--idle-timeout', '0.5'], { env, timeoutMs: LIMIT_MS });
      expect(result.stdout.toString()).toBe('x\n');
      expect(result.status).toBe(0);
    });
  });
});

describe('a service that never answers', () => {
  it('no response head at all: 255 after --max-retries, one line naming it', async () => {
    await withHostileApi(() => {}, async (_api, env) => {
      const result = await runCli(['dbx_1', 'exn_1', '--idle-timeout', '0.3', '--max-retries', '0'], { env, timeoutMs: LIMIT_MS });
      expect(result.status).toBe(255);
      expect(result.stderr.toString()).toMatch(/^runloop-tail: .*no response within 5s/);
    });
  });

  it('a stream with no response head on a completed execution: 255 after --max-retries, with the resume line', async () => {
    const handler: HostileHandler = (route, _req, res) => {
      if (route.action === '') view(res, route, 'completed', 0);
    };
    await withHostileApi(handler, async (api, env) => {
      const result = await runCli(['dbx_1', 'exn_1', '--idle-timeout', '0.3', '--max-retries', '2'], { env, timeoutMs: LIMIT_MS });
      expect(result.status).toBe(255);
      const stderr = result.stderr.toString();
      expect(stderr).toMatch(/gave up after 2 retries in a row \(no response within 2s\)/);
      expect(stderr).toContain(`resume with: runloop-tail dbx_1 exn_1 --stdout-offset 0 --stderr-offset 0 --base-url ${api.url} --max-retries 2 --idle-timeout 300ms`);
    });
  });

  it('408 forever after completion is counted, not looped on', async () => {
    const handler: HostileHandler = (route, _req, res) => {
      if (route.action === '') return view(res, route, 'completed', 0);
      json(res, 408, { message: 'try again' });
    };
    await withHostileApi(handler, async (_api, env) => {
      const result = await runCli(['dbx_1', 'exn_1', '--max-retries', '1'], { env, timeoutMs: LIMIT_MS });
      expect(result.status).toBe(255);
      expect(result.stderr.toString()).toContain('gave up after 1 retries in a row (HTTP 408)');
    });
  });
});

describe('text from the network on a terminal', () => {
  const evil = '\x1b]52;c;aGVsbG8=\x07\x1b]0;title\x07\x1b[6n\u009b6n\x07';
  const hostileOnPty = async (handler: HostileHandler, args: string[] = ['dbx_1', 'exn_1']) =>
    withHostileApi(handler, async (api) => {
      const env = { PATH: process.env.PATH ?? '', RUNLOOP_API_KEY: api.apiKey, RUNLOOP_BASE_URL: api.url, TERM: 'xterm' };
      return runOnPty(cliCommand([...args, '--max-retries', '0'], env), { cols: 200, rows: 30 }, LIMIT_MS);
    });
  const expectInert = (output: Buffer) => {
    const text = output.toString('utf8');
    expect(text).not.toContain('\x1b]'); // no OSC: clipboard, title
    expect(text).not.toContain('\x1b[6n'); // no device query
    expect(text).not.toMatch(/[\u0080-\u009f\x07]/); // no C1, no bell
  };

  it.each([
    ['a JSON error message', (res: Parameters<HostileHandler>[2]) => json(res, 403, { message: evil })],
    ['a plain-text 404 body', (res: Parameters<HostileHandler>[2]) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(evil);
    }],
    ['a content type', (res: Parameters<HostileHandler>[2]) => {
      // Header values are latin1 on the wire: U+009B is the 8-bit CSI.
      res.writeHead(200, { 'content-type': 'text/html\u009b6n;\u009d0;title\u009c' });
      res.end('<html></html>');
    }],
  ])('%s is shown inert', async (_name, answer) => {
    const result = await hostileOnPty((route, _req, res) => (route.action === '' ? view(res, route, 'running', null) : answer(res)));
    expect(result.status).toBe(255);
    expectInert(result.output);
    expect(result.output.toString('utf8')).toMatch(/\^\[\]52;c;aGVsbG8=\^G|M-\^\[6n/);
  });
});

describe('an execution id from the service', () => {
  const startedWith = (executionId: string): HostileHandler => (route, _req, res) => {
    if (route.action === 'execute_async') return json(res, 200, { devbox_id: route.devboxId, execution_id: executionId, status: 'running', exit_status: null });
    if (route.action === '') return view(res, route, 'completed', 0);
    openStream(res);
    res.end();
  };

  it.each([
    ['shell syntax', 'exe_1; touch ~/x #'],
    ['command substitution and quotes', `exe_$(touch ~/x)'"\`touch ~/x\``],
    ['control characters', 'exe_\x1b]0;pwned\x07\x1b[31m'],
  ])('with %s is refused in one line, shown inert, never run by a shell', async (_name, id) => {
    await withHostileApi(startedWith(id), async (_api, env) => {
      const home = mkdtempSync(join(temp, 'home-'));
      const result = await runCli(['exec', 'dbx_1', '--verbose', '--', 'true'], { env: { ...env, HOME: home }, timeoutMs: LIMIT_MS });
      expect(result.status).toBe(255);
      const stderr = result.stderr.toString();
      expect(stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      expect(stderr).toMatch(/^runloop-tail: .*execution id that is not an id.*\n$/m);
      expect(stderr).not.toContain('re-attach with');
      expect(existsSync(join(home, 'x'))).toBe(false);
    });
  });
});

describe('a long Retry-After, then a signal', () => {
  const unavailable: HostileHandler = (route, _req, res) => {
    if (route.action === '') return view(res, route, 'running', null);
    res.writeHead(503, { 'retry-after': '600', 'content-type': 'text/plain' });
    res.end('busy');
  };

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('the wait is said even in a pipe; %s exits %i with the resume line', async (signal, status) => {
    await withHostileApi(unavailable, async (api, env) => {
      const child = startCli(['dbx_1', 'exn_1', '--stdout-only'], { env });
      const done = collect(child, { timeoutMs: LIMIT_MS });
      // The backoff caps a Retry-After at 2 minutes: a wait far past its own 10 s cap.
      await waitForOutput(child, 'stderr', (text) => /reconnecting from byte 0, attempt 1 in 2m \(HTTP 503\)\n/.test(text));
      child.kill(signal);
      const result = await done;
      expect(result.status).toBe(status);
      expect(result.stderr.toString()).toContain(
        `runloop-tail: stopped by ${signal}; resume with: runloop-tail dbx_1 exn_1 --stdout-offset 0 --stderr-offset 0 --base-url ${api.url} --stdout-only\n`,
      );
    });
  });
});

describe('stdout closed by its reader', () => {
  it('| head -n 1 under pipefail: 141, quietly', async () => {
    const handler: HostileHandler = (route, req, res) => {
      if (route.action === '') return view(res, route, 'running', null);
      openStream(res);
      if (route.action !== 'stream_stdout_updates') return;
      // Lines for as long as anyone reads them.
      let offset = route.offset;
      every(req, 5, () => {
        offset += 5;
        res.write(`data: ${JSON.stringify({ output: 'line\n', offset })}\n\n`);
      });
    };
    await withHostileApi(handler, async (_api, env) => {
      const script = `set -o pipefail; ${[process.execPath, cliPath].map((w) => `'${w}'`).join(' ')} dbx_1 exn_1 | head -n 1`;
      const bash = spawn('bash', ['-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const raw = await collect(bash, { timeoutMs: LIMIT_MS });
      const result = { status: raw.status, stdout: raw.stdout.toString(), stderr: raw.stderr.toString() };
      expect(result.stdout).toBe('line\n');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(141);
    });
  });
});
