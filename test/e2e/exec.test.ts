/**
 * `exec`: starts a command on the devbox and follows it; the exit status is mirrored and the
 * command's words reach the remote shell intact.
 */
import { describe, it } from 'vitest';
import { collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';

const local = localServerForFile();
const env = () => local.env();

// Independent commands on one server with no faults: they run a few at a time.
describe.concurrent('exec', () => {
  it('mirrors the exit status and both streams', async ({ expect }) => {
    const result = await runCli(['exec', 'dbx_local', '--', 'echo out; echo err >&2; exit 9'], { env: env() });
    expect(result.status).toBe(9);
    expect(result.stdout.toString()).toBe('out\n');
    expect(result.stderr.toString()).toBe('err\n');
  });

  it('quotes several words so the remote shell sees the same words', async ({ expect }) => {
    const words = ['a b', "it's", '$HOME', 'x;y', '"q"', '', 'é😀', '*'];
    const result = await runCli(['exec', 'dbx_local', '--', 'printf', '[%s]\\n', ...words], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe(words.map((w) => `[${w}]\n`).join(''));
  });

  it('takes options before and after --: ours before, the command’s after', async ({ expect }) => {
    const result = await runCli(['exec', 'dbx_local', '--stdout-only', '--', 'sh', '-c', 'echo --stdout-only; echo hidden >&2', '--merge'], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('--stdout-only\n');
    expect(result.stderr.toString()).toBe('');
  });

  it('passes --shell-name through', async ({ expect }) => {
    const first = await runCli(['exec', 'dbx_local', '--shell-name', 'builder', '--', 'echo kept > shared.txt'], { env: env() });
    expect(first.status).toBe(0);
    const second = await runCli(['exec', 'dbx_local', '--shell-name', 'builder', '--', 'cat shared.txt'], { env: env() });
    expect(second.stdout.toString()).toBe('kept\n');
  });

  it('says which execution it started with --verbose, and how to re-attach', async ({ expect }) => {
    const result = await runCli(['exec', 'dbx_local', '--verbose', '--', 'true'], { env: env() });
    expect(result.stderr.toString()).toMatch(/runloop-tail: started (exn_\w+) on dbx_local; re-attach with: runloop-tail dbx_local exn_\w+/);
  });

  it('unknown devbox: 255 and one line', async ({ expect }) => {
    const result = await runCli(['exec', 'dbx_missing', '--', 'true'], { env: env() });
    expect(result.status).toBe(255);
    expect(result.stderr.toString()).toMatch(/^runloop-tail: devbox dbx_missing was not found \(404\)[^\n]*\n$/);
    expect(result.stdout.length).toBe(0);
  });

  it('no command: usage, exit 2', async ({ expect }) => {
    const result = await runCli(['exec', 'dbx_local'], { env: env() });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toContain('no command given');
  });

  it('Ctrl-C leaves the command running by default and prints how to re-attach', async ({ expect }) => {
    const child = startCli(['exec', 'dbx_local', '--', 'echo ready; sleep 600'], { env: env() });
    const done = collect(child);
    await waitForOutput(child, 'stdout', (text) => text.includes('ready\n'));
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(130);
    const id = /resume with: runloop-tail dbx_local (exn_\w+)/.exec(result.stderr.toString())?.[1];
    expect(id, result.stderr.toString()).toBeDefined();
    const view = await fetch(`${local.server.url}/v1/devboxes/dbx_local/executions/${id}`, { headers: { authorization: `Bearer ${local.server.apiKey}` } }).then(
      (r) => r.json() as Promise<{ status: string }>,
    );
    expect(view.status).toBe('running');
  });

  it('--kill-on-interrupt kills the remote command on Ctrl-C and exits with its status', async ({ expect }) => {
    const child = startCli(['exec', 'dbx_local', '--kill-on-interrupt', '--verbose', '--', 'echo ready; sleep 600'], { env: env() });
    const done = collect(child);
    const [stderr] = await Promise.all([
      waitForOutput(child, 'stderr', (text) => /started exn_\w+/.test(text)),
      waitForOutput(child, 'stdout', (text) => text.includes('ready\n')),
    ]);
    child.kill('SIGINT');
    const result = await done;
    expect(result.status).toBe(143);
    const id = /started (exn_\w+)/.exec(stderr)?.[1] ?? '';
    expect(result.stderr.toString()).toContain(`killed ${id}`);
    const view = await local.server.waitCompleted(id);
    expect(view.exit_status).toBe(143);
  });
});
