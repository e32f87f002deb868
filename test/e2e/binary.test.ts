/**
 * The single executable (`npm run build:binary`), built once here and run as a user would: the
 * same --help as the npm entry, --version, `config` with its store, tail byte-exact with the exit
 * status through seeded faults, and `serve` + `exec` from the binary alone. Skipped only when this
 * node cannot become a single executable (a build with shared libnode has no SEA fuse).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, collect, runCli, waitForOutput, type CliOptions, type CliResult } from '../helpers/run-cli.js';
import { withLocalServer } from '../helpers/local-server.js';
import { scenario, writeScenarioScript } from '../helpers/scenario.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const seaCapable = readFileSync(process.execPath).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2');

let temp: string;
/** Built into this run's temp folder, so two runs (or a `npm run build:binary`) never share it. */
let binary: string;
const children: ChildProcess[] = [];

function start(args: readonly string[], env: Record<string, string> = baseEnv()): ChildProcess {
  const child = spawn(binary, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function runBinary(args: readonly string[], options: CliOptions & { env?: Record<string, string> } = {}): Promise<CliResult> {
  return collect(start(args, options.env), options);
}

describe.skipIf(!seaCapable)('the single executable', () => {
  beforeAll(async () => {
    temp = mkdtempSync(path.join(tmpdir(), 'rt-binary-'));
    binary = path.join(temp, `runloop-tail${process.platform === 'win32' ? '.exe' : ''}`);
    // Its own folder for the intermediate files and the binary, so two test runs at once share nothing.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
    await promisify(execFile)('npm', ['run', '-s', 'build:binary', '--', '--sea-dir', path.join(temp, 'sea'), '--out', binary], {
      cwd: root,
      env,
      // Generous: the build is ~30 s on a quiet machine but took over 2 min in a stress run (load 30).
      timeout: 900_000,
    });
  }, 960_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('was built', () => {
    expect(existsSync(binary)).toBe(true);
  });

  it('prints the same --help as the npm entry, and its version', async () => {
    const [fromBinary, fromNpm, version] = await Promise.all([runBinary(['--help']), runCli(['--help']), runBinary(['--version'])]);
    expect(fromBinary.status).toBe(0);
    expect(fromBinary.stderr.toString()).toBe('');
    expect(fromBinary.stdout.toString()).toContain('Usage: runloop-tail');
    expect(fromBinary.stdout.toString()).toBe(fromNpm.stdout.toString());
    expect(version.stdout.toString()).toBe(`${pkg.version}\n`);
    expect(version.status).toBe(0);
  });

  it('config path, set and get use XDG_CONFIG_HOME', async () => {
    const env = baseEnv({ XDG_CONFIG_HOME: path.join(temp, 'xdg') });
    const where = await runBinary(['config', 'path'], { env });
    expect(where.stdout.toString()).toBe(`${path.join(temp, 'xdg', 'runloop-tail', 'config.json')}\n`);
    expect(where.status).toBe(0);
    // The store (conf, with ajv) is inside the binary too.
    expect((await runBinary(['config', 'set', 'base-url', 'http://127.0.0.1:9'], { env })).status).toBe(0);
    const got = await runBinary(['config', 'get', 'base-url'], { env });
    expect(got.stdout.toString()).toBe('http://127.0.0.1:9\n');
    expect(got.status).toBe(0);
  });

  // Both offset meanings, exit statuses 7, 42, 2 and 0. A server per seed (faults are per server),
  // so the seeds run at the same time.
  it.concurrent.for([1001, 1006, 1009, 1011])('tails byte-exact with the exit status under faults (seed %i)', async (seed, { expect }) => {
    const s = scenario(seed, { maxLine: 20_000, pieces: 40 });
    await withLocalServer(s.faults, async (own) => {
      const view = await own.server.execute('dbx_local', writeScenarioScript(temp, s));
      const result = await runBinary(['dbx_local', view.execution_id, '--max-retries', '50'], { env: own.env() });
      const context = `seed ${seed}; stderr tail: ${result.stderr.toString('utf8').slice(-300)}`;
      expect(result.stdout.equals(s.expected.stdout), context).toBe(true);
      expect(result.stderr.equals(s.expected.stderr), context).toBe(true);
      expect(result.status, context).toBe(s.exitStatus);
    });
  });

  it('serves, and follows a command through its own server', async () => {
    const serve = start(['serve', '--port', '0', '--quiet']);
    const serveDone = collect(serve);
    const exports = await waitForOutput(serve, 'stdout', (out) => /^# .*\n/m.test(out));
    const url = /^export RUNLOOP_BASE_URL=(\S+)$/m.exec(exports)?.[1] ?? '';
    const apiKey = /^export RUNLOOP_API_KEY=(\S+)$/m.exec(exports)?.[1] ?? '';
    const result = await runBinary(['exec', 'dbx_local', '--', 'printf hi; exit 3'], {
      env: baseEnv({ RUNLOOP_BASE_URL: url, RUNLOOP_API_KEY: apiKey }),
    });
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString()).toBe('hi');
    expect(result.status).toBe(3);
    serve.kill('SIGTERM');
    expect((await serveDone).status).toBe(0);
  });
});
