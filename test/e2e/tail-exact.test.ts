/**
 * The promise of the product: through seeded faults (cuts mid-event, 408/429/5xx, resends, stalls,
 * live output, both offset meanings), what reaches stdout and stderr is byte for byte what the
 * command wrote, and the exit status is the command's.
 */
import { describe, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { withLocalServer } from '../helpers/local-server.js';
import { scenario, writeScenarioScript } from '../helpers/scenario.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const SEEDS = Number(process.env.TAIL_SEEDS ?? 24);
/** The same scenarios over HTTPS: a few seeds, TLS changes the transport, not the logic. */
const TLS_SEEDS = Number(process.env.TAIL_TLS_SEEDS ?? 4);
/**
 * And without WebAssembly (`node --no-expose-wasm`, as under --jitless): every event then takes
 * the JSON.parse path instead of json-string.wat, and must give the same bytes.
 */
const NO_WASM_SEEDS = Number(process.env.TAIL_NO_WASM_SEEDS ?? 3);

const dir = tempDirForFile('rt-exact-');

// Each seed has a server of its own (faults are per server), so the runs are independent and a
// few go at a time: most of a run is waiting (pauses, stalls, retries).
describe.concurrent('tail is byte-exact under faults', () => {
  const runs: { seed: number; tls: boolean; over: string; nodeArgs?: string[] }[] = [
    ...Array.from({ length: SEEDS }, (_, i) => ({ seed: 1000 + i, tls: false, over: 'http' })),
    ...Array.from({ length: TLS_SEEDS }, (_, i) => ({ seed: 2000 + i, tls: true, over: 'https' })),
    ...Array.from({ length: NO_WASM_SEEDS }, (_, i) => ({ seed: 3000 + i, tls: false, over: 'http without WebAssembly', nodeArgs: ['--no-expose-wasm'] })),
  ];
  it.for(runs)('seed $seed over $over', async ({ seed, tls, nodeArgs }, { expect }) => {
    const s = scenario(seed);
    const command = writeScenarioScript(dir, s);
    await withLocalServer({ tls, ...s.faults }, async ({ server, env: envFor }) => {
      const view = await server.execute('dbx_local', command);
      // Over HTTPS the CLI trusts the server's generated CA, as a user would with a private CA.
      const env = envFor({ NODE_EXTRA_CA_CERTS: server.caFile });
      const result = await runCli(['dbx_local', view.execution_id, '--max-retries', '50'], { env, nodeArgs });
      const context = `seed ${seed}; stderr tail: ${result.stderr.toString('utf8').slice(-300)}`;
      expect(result.stdout.equals(s.expected.stdout), context).toBe(true);
      expect(result.stderr.equals(s.expected.stderr), context).toBe(true);
      expect(result.status, context).toBe(s.exitStatus);
    });
  });
});
