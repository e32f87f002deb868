/**
 * The real CLI (dist/, built by `npm test`) with XDG_CONFIG_HOME in a temp folder: the `config`
 * command end to end, and that the API key never shows except with --show-secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runCli, type CliResult } from '../helpers/run-cli.js';

const KEY = 'rk_Vb3Tq8WmX1pL6zN4kR9sH2jD7fYa4321'; // no 5-character run of it occurs in paths or messages
const MASKED = '****4321';

let temp: string;
let xdg: string;
let file: string;
/** Every byte the CLI printed in this file, except the runs with --show-secret. */
const seen: Buffer[] = [];

beforeAll(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'runloop-tail-config-e2e-'));
});
afterAll(() => {
  fs.rmSync(temp, { recursive: true, force: true });
});
beforeEach(() => {
  xdg = fs.mkdtempSync(path.join(temp, 'xdg-'));
  file = path.join(xdg, 'runloop-tail', 'config.json');
});

async function cli(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await runCli(args, {
    env: baseEnv({ XDG_CONFIG_HOME: xdg, ...options.env }),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (!args.includes('--show-secret')) seen.push(result.stdout, result.stderr);
  return result;
}

const text = (b: Buffer) => b.toString('utf8');
const lines = (b: Buffer) => text(b).split('\n').filter(Boolean);

describe('config, end to end', () => {
  it('path: prints the file under XDG_CONFIG_HOME and creates nothing', async () => {
    const result = await cli(['config', 'path']);
    expect(result.status).toBe(0);
    expect(text(result.stdout)).toBe(`${file}\n`);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('set api-key from stdin, then get (masked), get --show-secret, list, unset', async () => {
    const set = await cli(['config', 'set', 'api-key'], { input: `${KEY}\n` });
    expect(set.status).toBe(0);
    expect(text(set.stdout)).toBe('');
    expect(text(set.stderr)).toBe(`runloop-tail: saved api-key (${MASKED}) to ${file}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    const get = await cli(['config', 'get', 'api-key']);
    expect(get.status).toBe(0);
    expect(text(get.stdout)).toBe(`${MASKED}\n`);

    const shown = await cli(['config', 'get', 'api-key', '--show-secret']);
    expect(shown.status).toBe(0);
    expect(text(shown.stdout)).toBe(`${KEY}\n`);

    expect((await cli(['config', 'set', 'base-url', 'https://proxy.example.com/runloop/'])).status).toBe(0);
    const list = await cli(['config', 'list']);
    expect(list.status).toBe(0);
    expect(text(list.stdout)).toBe(`api-key=${MASKED}\nbase-url=https://proxy.example.com/runloop\n`);

    const unset = await cli(['config', 'unset', 'api-key']);
    expect(unset.status).toBe(0);
    expect(text(unset.stderr)).toBe(`runloop-tail: removed api-key from ${file}\n`);
    const gone = await cli(['config', 'get', 'api-key']);
    expect(gone.status).toBe(1);
    expect(text(gone.stdout)).toBe('');
    expect(lines(gone.stderr)).toEqual(['runloop-tail: api-key is not set (runloop-tail config set api-key)']);
  });

  it('a key given as an argument is refused and not saved', async () => {
    const result = await cli(['config', 'set', 'api-key', KEY]);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(text(result.stderr)).toMatch(/shell history/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a bad base-url: one line, exit 2, nothing saved', async () => {
    const result = await cli(['config', 'set', 'base-url', 'ftp://files.example.com']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'runloop-tail: base-url is not a valid http(s) URL: "ftp://files.example.com"; nothing was saved',
    ]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('an unknown setting: exit 2, named, the valid keys listed', async () => {
    const result = await cli(['config', 'get', 'token']);
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual(["runloop-tail: unknown setting 'token'; the settings are api-key and base-url"]);
  });

  it.each([
    ['get', ['config', 'get', 'api-key']],
    ['list', ['config', 'list']],
    ['set', ['config', 'set', 'base-url', 'https://x.example']],
    ['unset', ['config', 'unset', 'api-key']],
  ])('a corrupted file (%s): one line naming it, exit 2, no stack trace, file untouched', async (_, args) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const corrupt = `{"api-key": "${KEY}",\n`;
    fs.writeFileSync(file, corrupt);
    const result = await cli(args);
    expect(result.status).toBe(2);
    expect(text(result.stdout)).toBe('');
    expect(lines(result.stderr)).toEqual([`runloop-tail: config file ${file} is not valid JSON; fix or remove it`]);
    expect(text(result.stderr)).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(file, 'utf8')).toBe(corrupt);
  });
});

describe('conf is loaded only when the store is needed', () => {
  let hook: string;
  beforeAll(() => {
    // A preload that reports on stderr when anything loads conf: the package itself, or the file
    // scripts/build.js bundles it into (dist/conf.cjs, which the CLI requires on first use).
    hook = path.join(temp, 'report-conf-load.cjs');
    fs.writeFileSync(
      hook,
      `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^conf$|(^|[\\/])conf\\.cjs$/.test(request)) process.stderr.write('[conf imported]\\n');
  return load.call(this, request, ...rest);
};
`,
    );
  });
  const withHook = () => ({ NODE_OPTIONS: `--require=${hook}` });

  it('the hook sees it when the store is read (so the checks below can fail)', async () => {
    expect((await cli(['config', 'set', 'api-key'], { input: KEY })).status).toBe(0);
    const result = await cli(['config', 'list'], { env: withHook() });
    expect(text(result.stderr)).toContain('[conf imported]');
  });

  it.each([
    ['--help', ['--help']],
    ['config --help', ['config', '--help']],
    ['config path', ['config', 'path']],
    ['config list with no file', ['config', 'list']],
    ['config get with no file', ['config', 'get', 'base-url']],
  ])('not for %s', async (_, args) => {
    const result = await cli(args, { env: withHook() });
    expect(result.status === 0 || result.status === 1).toBe(true);
    expect(text(result.stderr)).not.toContain('[conf imported]');
  });

  it('not when the key and base URL come from the environment, even with a store present', async () => {
    expect((await cli(['config', 'set', 'api-key'], { input: KEY })).status).toBe(0);
    // Port 9 on loopback: nothing listens; the follow fails after contacting nothing useful.
    const result = await cli(['dbx_1', 'exn_1', '--max-retries', '0', '--verbose'], {
      env: { ...withHook(), RUNLOOP_API_KEY: 'sk_env_0000000000000000', RUNLOOP_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(text(result.stderr)).toContain('api key: ****0000 from RUNLOOP_API_KEY');
    expect(text(result.stderr)).not.toContain('[conf imported]');
  });
});

// Last: it searches the output of every run above (vitest runs a file's tests in order).
describe('secret hygiene', () => {
  it('the key was never printed except with --show-secret', () => {
    expect(seen.length).toBeGreaterThan(10);
    const everything = Buffer.concat(seen);
    expect(everything.includes(KEY)).toBe(false);
    // Nor any run of it longer than the 4 characters the mask shows.
    for (let start = 0; start + 5 <= KEY.length; start++) {
      expect(everything.includes(KEY.slice(start, start + 5)), KEY.slice(start, start + 5)).toBe(false);
    }
  });
});
