/**
 * The promise of the product: through seeded faults (cuts mid-event, 408/429/5xx, resends, stalls,
 * live output, both offset meanings), what reaches stdout and stderr is byte for byte what the
 * command wrote, and the exit status is the command's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFaults } from '../../src/emulator/faults.js';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { scenario, writeScenarioScript } from '../helpers/scenario.js';

const SEEDS = Number(process.env.TAIL_SEEDS ?? 24);

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-exact-'));
  server = await startServer({ port: 0, env: baseEnv() });
});
afterEach(() => server.setFaults(defaultFaults));
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function env() {
  return baseEnv({ RUNLOOP_API_KEY: server.apiKey, RUNLOOP_BASE_URL: server.url });
}

describe('tail is byte-exact under faults', () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => 1000 + i);
  it.each(seeds)('seed %i', async (seed) => {
    const s = scenario(seed);
    const command = writeScenarioScript(dir, s);
    // Faults are per server; runs share one, so each sets its own before starting.
    server.setFaults(s.faults);
    const view = await server.execute('dbx_local', command);
    const result = await runCli(['dbx_local', view.execution_id, '--max-retries', '50'], { env: env(), timeoutMs: 45_000 });
    const context = `seed ${seed}; stderr tail: ${result.stderr.toString('utf8').slice(-300)}`;
    expect(result.stdout.equals(s.expected.stdout), context).toBe(true);
    expect(result.stderr.equals(s.expected.stderr), context).toBe(true);
    expect(result.status, context).toBe(s.exitStatus);
  });
});
