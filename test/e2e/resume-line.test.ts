/**
 * The resume line reproduces the follow: run as printed (through a real shell), against a base URL
 * that is not the default and given only as a flag, it writes exactly the rest of the output in the
 * same view, and exits with the remote status.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, cliPath, collect, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { Gates, PATIENCE_MS } from '../helpers/wait.js';
import { shellQuote } from '../../src/render/shell-quote.js';
import { executionLabels } from '../../src/commands/targets.js';

const local = localServerForFile();
const gates = new Gates();
afterAll(() => gates.remove());

const rows = (from: number, to: number, make: (i: number) => string) => Array.from({ length: to - from + 1 }, (_, k) => make(from + k)).join('');

describe('the resume line', () => {
  it('run as printed, continues in the same view on the same service: the rest of the output, exact', async () => {
    const gate = gates.gate();
    const loop = (from: number, to: number) => `i=${from}; while [ $i -le ${to} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`;
    const view = await local.server.execute('dbx_local', `${loop(1, 5)}; ${gate.wait}; ${loop(6, 10)}; exit 4`);
    // The key from the environment (never repeated), the base URL only as a flag.
    const env = local.env({ RUNLOOP_BASE_URL: undefined });
    const options = ['--base-url', local.server.url, '--prefix', '--max-retries', '7', '--idle-timeout', '5', '--color', 'never'];
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
          `--base-url ${local.server.url} --max-retries 7 --idle-timeout 5000ms --color never --prefix`,
      );

      gate.open();
      // `runloop-tail` is this build, whatever PATH holds; the line itself runs as printed.
      const script = `runloop-tail() { ${shellQuote(process.execPath)} ${shellQuote(cliPath)} "$@"; }; ${line}`;
      const resumed = await collect(spawn('bash', ['-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'] }), { timeoutMs: PATIENCE_MS });
      expect(resumed.stdout.toString()).toBe(rows(6, 10, (i) => `stdout | out ${i}\n`));
      expect(resumed.stderr.toString()).toBe(rows(6, 10, (i) => `stderr | err ${i}\n`));
      expect(resumed.status).toBe(4);
    } finally {
      gate.open();
    }
  });

  it('of several executions, run as printed: every option but the key, and the rest of each stream exact', async () => {
    const gate = gates.gate();
    const loop = (name: string, from: number, to: number) =>
      `i=${from}; while [ $i -le ${to} ]; do echo "${name} out $i"; echo "${name} err $i" >&2; i=$((i+1)); done`;
    const script = (name: string, status: number) =>
      `${loop(name, 1, 4)}; ${gate.wait}; ${loop(name, 5, 9)}; exit ${status}`;
    const views = [await local.server.execute('dbx_local', script('a', 0)), await local.server.execute('dbx_local', script('b', 6))];
    const ids = views.map((v) => v.execution_id);
    const labels = executionLabels(ids);
    const lines = (index: number, stream: 'stdout' | 'stderr', from: number, to: number) => {
      const name = index === 0 ? 'a' : 'b';
      return rows(from, to, (i) => `${labels[index]} ${stream} | ${name} ${stream === 'stdout' ? 'out' : 'err'} ${i}\n`).split(/(?<=\n)/);
    };
    const ofExecution = (text: string, index: number) => text.split(/(?<=\n)/).filter((line) => line.startsWith(`${labels[index]} `));
    // The key only as a flag here; the resumed command finds it in the environment.
    const options = ['--api-key', local.server.apiKey, '--base-url', local.server.url, '--prefix', '--max-retries', '7', '--idle-timeout', '5', '--color', 'never'];
    try {
      const first = startCli([...ids.map((id) => `dbx_local/${id}`), ...options], { env: baseEnv() });
      const firstDone = collect(first, { timeoutMs: PATIENCE_MS });
      await Promise.all([
        waitForOutput(first, 'stdout', (text) => text.includes(' stdout | a out 4\n') && text.includes(' stdout | b out 4\n')),
        waitForOutput(first, 'stderr', (text) => text.includes(' stderr | a err 4\n') && text.includes(' stderr | b err 4\n')),
      ]);
      first.kill('SIGINT');
      const interrupted = await firstDone;
      expect(interrupted.status).toBe(130);
      const stderr = interrupted.stderr.toString();
      const line = /interrupted; resume with: (.*)\n/.exec(stderr)?.[1] ?? '';
      expect(line).not.toContain(local.server.apiKey);
      const out = Buffer.byteLength(rows(1, 4, (i) => `a out ${i}\n`));
      const err = Buffer.byteLength(rows(1, 4, (i) => `a err ${i}\n`));
      expect(line).toBe(
        `runloop-tail ${ids.map((id) => `dbx_local/${id}@${out},${err}`).join(' ')} ` +
          `--base-url ${local.server.url} --max-retries 7 --idle-timeout 5000ms --color never --prefix`,
      );
      for (const index of [0, 1]) {
        expect(ofExecution(interrupted.stdout.toString(), index)).toEqual(lines(index, 'stdout', 1, 4));
        expect(ofExecution(stderr, index)).toEqual(lines(index, 'stderr', 1, 4));
      }

      gate.open();
      const script = `runloop-tail() { ${shellQuote(process.execPath)} ${shellQuote(cliPath)} "$@"; }; ${line}`;
      const env = local.env({ RUNLOOP_BASE_URL: undefined });
      const resumed = await collect(spawn('bash', ['-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'] }), { timeoutMs: PATIENCE_MS });
      expect(resumed.status).toBe(6);
      for (const index of [0, 1]) {
        expect(ofExecution(resumed.stdout.toString(), index)).toEqual(lines(index, 'stdout', 5, 9));
        expect(ofExecution(resumed.stderr.toString(), index)).toEqual(lines(index, 'stderr', 5, 9));
      }
      // Nothing but the labelled lines and the one note naming the failed execution.
      expect(resumed.stdout.toString().split(/(?<=\n)/)).toHaveLength(10);
      expect(resumed.stderr.toString().split(/(?<=\n)/).filter((l) => !l.startsWith('runloop-tail: '))).toHaveLength(10);
    } finally {
      gate.open();
    }
  });
});
