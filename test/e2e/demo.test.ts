/** `demo` run non-interactively: the script's exact bytes and its exit status. */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { DEMO_SCRIPT } from '../../src/commands/demo.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';

// Each demo has its own embedded server: both run at the same time.
describe.concurrent('demo', () => {
  it('in a pipe writes only the script’s bytes and exits with its status', async ({ expect }) => {
    // The script is deterministic: run locally, it writes exactly what the demo must deliver.
    const local = spawnSync('/bin/sh', ['-c', DEMO_SCRIPT], { env: baseEnv() });
    const result = await runCli(['demo'], { env: baseEnv() });
    expect(result.status).toBe(0);
    expect(result.stdout.equals(local.stdout)).toBe(true);
    expect(result.stderr.equals(local.stderr)).toBe(true);
    expect(result.stdout.toString()).toContain('ünïcödé 日本語 😀');
  });

  it('with --verbose shows the cut and the reconnect', async ({ expect }) => {
    const result = await runCli(['demo', '--verbose'], { env: baseEnv() });
    expect(result.status).toBe(0);
    expect(result.stderr.toString()).toMatch(/runloop-tail: stdout: reconnecting from byte \d+, attempt 1/);
  });
});
