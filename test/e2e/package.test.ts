/**
 * The npm package as a user gets it: `npm pack`, then `npm install` of the tarball into an empty
 * prefix, then the installed `runloop-tail` on its own: --version, and `serve` + `exec` round trip.
 * Packs the dist/ that `npm test` built (scripts are not run again, so the dist/ other test files
 * are using is not rewritten under them). Dependencies are bundled into dist/, so the install needs
 * no registry and is done with --offline.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, collect, waitForOutput } from '../helpers/run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; files: string[] };
const run = promisify(execFile);

let temp: string;
let prefix: string;
let installed: string;
let packedFiles: string[] = [];
const children: ChildProcess[] = [];

/** npm's environment without the npm_* variables of the `npm test` that may be running us. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

/** A user's environment: node on PATH (for the bin's shebang), nothing of ours. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = baseEnv(extra);
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

function start(args: readonly string[], env = userEnv()): ChildProcess {
  const child = spawn(installed, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

beforeAll(async () => {
  temp = mkdtempSync(path.join(tmpdir(), 'rt-package-'));
  prefix = path.join(temp, 'prefix');
  // Limits that only stop a hung npm: on a busy machine pack + install took minutes.
  const npmOptions = { cwd: root, env: npmEnv(), timeout: 600_000 };
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp], npmOptions);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (info === undefined) throw new Error(`npm pack printed no package: ${packed.stdout}`);
  packedFiles = info.files.map((file) => file.path).sort();
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', prefix, path.join(temp, info.filename)],
    npmOptions,
  );
  installed = path.join(prefix, 'node_modules', '.bin', 'runloop-tail');
}, 1_260_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships only what runs: bin, the bundle, licences, README, LICENSE', () => {
    const allowed = /^(bin\/runloop-tail\.js|bin\/package\.json|dist\/entry\.cjs|dist\/help-answers\.json|dist\/(cli|conf|ora)\.cjs|dist\/THIRD-PARTY-LICENSES\.txt|README\.md|LICENSE|package\.json)$/;
    expect(packedFiles.filter((file) => !allowed.test(file))).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/cli.cjs', 'dist/conf.cjs', 'dist/ora.cjs']));
    expect(packedFiles).toContain('bin/runloop-tail.js');
    // The entry is CommonJS (bin/package.json) and answers --help from the pre-rendered table.
    expect(packedFiles).toEqual(expect.arrayContaining(['bin/package.json', 'dist/entry.cjs', 'dist/help-answers.json']));
  });

  it('installs with no dependencies of its own', () => {
    const modules = readdirSync(path.join(prefix, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(modules).toEqual(['runloop-tail']);
  });

  it('runs --version from the install', async () => {
    const result = await collect(start(['--version']));
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString()).toBe(`${pkg.version}\n`);
    expect(result.status).toBe(0);
  });

  it('serves, and follows a command through the server, from the install', async () => {
    const server = start(['serve', '--port', '0', '--quiet']);
    const serverDone = collect(server);
    const exports = await waitForOutput(server, 'stdout', (out) => /^# .*\n/m.test(out));
    const url = /^export RUNLOOP_BASE_URL=(\S+)$/m.exec(exports)?.[1];
    const apiKey = /^export RUNLOOP_API_KEY=(\S+)$/m.exec(exports)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(apiKey).toBeDefined();
    const env = userEnv({ RUNLOOP_BASE_URL: url ?? '', RUNLOOP_API_KEY: apiKey ?? '' });
    const result = await collect(start(['exec', 'dbx_local', '--', 'printf', 'hi'], env));
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString()).toBe('hi');
    expect(result.status).toBe(0);
    server.kill('SIGTERM');
    expect((await serverDone).status).toBe(0);
  });
});
