/**
 * The resume line reproduces the follow: run as printed (through a real shell), against a base URL
 * that is not the default and given only as a flag, it writes exactly the rest of the output in the
 * same view, and exits with the remote status.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { baseEnv, cliPath, collect, startCli, waitForOutput } from '../helpers/run-cli.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { shellQuote } from '../../src/render/shell-quote.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, env: baseEnv() });
});
afterAll(async () => {
  await server?.close();
});

const rows = (from: number, to: number, make: (i: number) => string) => Array.from({ length: to - from + 1 }, (_, k) => make(from + k)).join('');

describe('the resume line', () => {
  it('run as printed, continues in the same view on the same service: the rest of the output, exact', async () => {
    const gate = join(mkdtempSync(join(tmpdir(), 'rt-gate-')), 'open');
    const loop = (from: number, to: number) => `i=${from}; while [ $i -le ${to} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`;
    const view = await server.execute('dbx_local', `${loop(1, 5)}; while [ ! -e '${gate}' ]; do sleep 0.02; done; ${loop(6, 10)}; exit 4`);
    // The key from the environment (never repeated), the base URL only as a flag.
    const env = baseEnv({ RUNLOOP_API_KEY: server.apiKey });
    const options = ['--base-url', server.url, '--prefix', '--max-retries', '7', '--idle-timeout', '5', '--color', 'never'];
    try {
      const first = startCli(['dbx_local', view.execution_id, ...options], { env });
      const firstDone = collect(first, { timeoutMs: PATIENCE_MS });
      await Promise.all([
        waitForOutput(first, 'stdout', (text) => text.includes('stdout | out 5\n')),
        waitForOutput(first, 'stderr', (text) => text.includes('stderr | err 5\n')),
      ]);
      first.kill('SIGINT');
      const interrupted = await firstDone;
      expect(interrupted.status).toBe(130);
      expect(interrupted.stdout.toString()).toBe(rows(1, 5, (i) => `stdout | out ${i}\n`));
      const line = /interrupted; resume with: (.*)\n/.exec(interrupted.stderr.toString())?.[1] ?? '';
      const stdoutOffset = Buffer.byteLength(rows(1, 5, (i) => `out ${i}\n`));
      const stderrOffset = Buffer.byteLength(rows(1, 5, (i) => `err ${i}\n`));
      expect(line).toBe(
        `runloop-tail dbx_local ${view.execution_id} --stdout-offset ${stdoutOffset} --stderr-offset ${stderrOffset} ` +
          `--base-url ${server.url} --max-retries 7 --idle-timeout 5000ms --color never --prefix`,
      );

      writeFileSync(gate, '');
      // `runloop-tail` is this build, whatever PATH holds; the line itself runs as printed.
      const script = `runloop-tail() { ${shellQuote(process.execPath)} ${shellQuote(cliPath)} "$@"; }; ${line}`;
      const resumed = await collect(spawn('bash', ['-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'] }), { timeoutMs: PATIENCE_MS });
      expect(resumed.stdout.toString()).toBe(rows(6, 10, (i) => `stdout | out ${i}\n`));
      expect(resumed.stderr.toString()).toBe(rows(6, 10, (i) => `stderr | err ${i}\n`));
      expect(resumed.status).toBe(4);
    } finally {
      writeFileSync(gate, '');
    }
  });
});
