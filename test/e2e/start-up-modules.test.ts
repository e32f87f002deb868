/**
 * What a follow loads: the built CLI following an execution over http:// never starts Node's ES
 * module loader (the build is CommonJS) and never loads TLS, crypto, zlib or perf_hooks (loaded on
 * first use only). Each of those cost start-up time and memory (BENCHMARKS.md, start-up of a
 * follow). A preload writes the process's list of loaded built-in modules when it exits; a control
 * shows that the same preload does see those modules when they are loaded.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const local = localServerForFile();
const dir = tempDirForFile('rt-modules-');

/** Built-in modules a follow over http:// must not load. */
const UNWANTED = ['NativeModule tls', 'NativeModule https', 'NativeModule crypto', 'NativeModule zlib', 'NativeModule perf_hooks', 'NativeModule internal/modules/esm/module_job'];

/** A preload that writes process.moduleLoadList to `list` when the process exits. */
function preload(name: string): { hook: string; list: string } {
  const hook = join(dir, `${name}.cjs`);
  const list = join(dir, `${name}.txt`);
  writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
  return { hook, list };
}

describe('a follow over http:// loads neither the ESM loader nor TLS, zlib or perf_hooks', () => {
  it('the preload sees them when they are loaded (so the check below can fail)', () => {
    const { hook, list } = preload('control');
    const run = spawnSync(process.execPath, ['--require', hook, '--input-type=module', '-e', "import('node:https').then(() => import('node:zlib')).then(() => performance.now())"], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const loaded = readFileSync(list, 'utf8').split('\n');
    for (const module of UNWANTED) expect(loaded).toContain(module);
  });

  it('following an execution to its end with the built CLI', async () => {
    const view = await local.server.execute('dbx_local', 'printf "out é\\n"; printf "err\\n" >&2; exit 4');
    await local.server.waitCompleted(view.execution_id);
    const { hook, list } = preload('follow');
    const result = await runCli(['dbx_local', view.execution_id], { env: local.env({ NODE_OPTIONS: `--require=${hook}` }) });
    expect(result.stdout.toString()).toBe('out é\n');
    expect(result.stderr.toString()).toBe('err\n');
    expect(result.status).toBe(4);
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule http');
    for (const module of UNWANTED) expect(loaded).not.toContain(module);
  });
});
