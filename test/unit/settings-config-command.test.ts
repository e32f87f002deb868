import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { TailError } from '../../src/errors.js';
import type { Io } from '../../src/io.js';
import { FakeTty, fakeIo, textSink } from '../helpers/fake-streams.js';
import { registerConfig } from '../../src/commands/config.js';
import type { SettingsStore, StoredSettings } from '../../src/settings/store.js';
import { memoryStore } from '../helpers/memory-store.js';

const KEY = 'sk_live_0123456789abcdef';
const STORE_PATH = '/home/u/.config/runloop-tail/config.json';



interface Run {
  status: number;
  stdout: string;
  stderr: string;
  store: SettingsStore;
}

/** Runs `runloop-tail config …` in-process, mapping errors to statuses as src/cli.ts does. */
async function run(
  args: readonly string[],
  options: { stored?: StoredSettings; stdin?: PassThrough; input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const stdout = textSink();
  const stderr = textSink();
  const stdin = options.stdin ?? new PassThrough();
  if (!options.stdin) stdin.end(options.input ?? '');
  const store = memoryStore(options.stored ?? {}, STORE_PATH);
  const io: Io = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    env: options.env ?? {},
    signal: new AbortController().signal,
  };
  let status = 0;
  const program = new Command('runloop-tail')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
  registerConfig(program, { io, finish: (s) => (status = s) }, { openStore: () => store });
  try {
    await program.parseAsync(['config', ...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) status = error.exitCode === 0 ? 0 : 2;
    else if (error instanceof TailError) {
      io.stderr.write(`runloop-tail: ${error.message}\n`);
      status = error.exitStatus;
    } else throw error;
  }
  return { status, stdout: stdout.text(), stderr: stderr.text(), store };
}

describe('config set api-key', () => {
  it('from a terminal: hidden prompt on stderr, saved, the key never echoed', async () => {
    const stdin = new FakeTty();
    stdin.write(`${KEY}\r`); // buffered until the prompt reads it
    const result = await run(['set', 'api-key'], { stdin });
    expect(result.status).toBe(0);
    expect(await result.store.read()).toEqual({ 'api-key': KEY });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`Runloop API key (input hidden): \nrunloop-tail: saved api-key (****cdef) to ${STORE_PATH}\n`);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('from a terminal, Ctrl-C: exit 130, nothing saved', async () => {
    const stdin = new FakeTty();
    stdin.write('sk_live_half\u0003');
    const result = await run(['set', 'api-key'], { stdin });
    expect(result.status).toBe(130);
    expect(await result.store.read()).toEqual({});
    expect(result.stderr).not.toContain('sk_live_half');
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('from a pipe: one trailing newline dropped, no prompt', async () => {
    const result = await run(['set', 'api-key'], { input: `${KEY}\n` });
    expect(result.status).toBe(0);
    expect(await result.store.read()).toEqual({ 'api-key': KEY });
    expect(result.stderr).toBe(`runloop-tail: saved api-key (****cdef) to ${STORE_PATH}\n`);
  });

  it('replaces a stored key', async () => {
    const result = await run(['set', 'api-key'], { input: 'sk_live_new_key_000000000', stored: { 'api-key': KEY } });
    expect(await result.store.read()).toEqual({ 'api-key': 'sk_live_new_key_000000000' });
  });

  it.each([
    ['empty stdin', '', /^runloop-tail: no API key given on stdin; nothing was saved\n$/],
    ['only a newline', '\n', /no API key given on stdin/],
    ['two lines', `${KEY}\nsecond\n`, /contains spaces, control or non-ASCII characters; nothing was saved/],
    ['inner space', 'sk_live with_space_000000', /contains spaces/],
  ])('refuses %s: exit 2, nothing saved, nothing quoted', async (_, input, pattern) => {
    const result = await run(['set', 'api-key'], { input });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).not.toContain('sk_live');
    expect(await result.store.read()).toEqual({});
  });

  it('refuses a key given as an argument, says why and how, and does not repeat it', async () => {
    const result = await run(['set', 'api-key', KEY]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/shell history/);
    expect(result.stderr).toMatch(/process list/);
    expect(result.stderr).toContain('| runloop-tail config set api-key');
    expect(result.stderr).not.toContain(KEY);
    expect(await result.store.read()).toEqual({});
  });
});

describe('config set base-url', () => {
  it('validates and stores it normalised', async () => {
    const result = await run(['set', 'base-url', 'https://Proxy.example.com/runloop/']);
    expect(result.status).toBe(0);
    expect(await result.store.read()).toEqual({ 'base-url': 'https://proxy.example.com/runloop' });
    expect(result.stderr).toBe(`runloop-tail: saved base-url https://proxy.example.com/runloop to ${STORE_PATH}\n`);
  });

  it.each(['ftp://x.example', 'not a url', 'https://x.example/?q', 'https://u:p@x.example'])(
    'refuses %j: exit 2, nothing saved',
    async (url) => {
      const result = await run(['set', 'base-url', url]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^runloop-tail: base-url (is not a valid http\(s\) URL|must not)/);
      expect(result.stderr).toMatch(/nothing was saved\n$/);
      expect(await result.store.read()).toEqual({});
    },
  );

  it('needs a URL', async () => {
    const result = await run(['set', 'base-url']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('config set base-url https://');
  });

  it('stores http:// to a remote host with a warning that it needs --insecure', async () => {
    const result = await run(['set', 'base-url', 'http://api.example.com']);
    expect(result.status).toBe(0);
    expect(await result.store.read()).toEqual({ 'base-url': 'http://api.example.com' });
    expect(result.stderr).toContain('--insecure');
  });

  it('stores http:// to loopback without a warning', async () => {
    const result = await run(['set', 'base-url', 'http://127.0.0.1:4000']);
    expect(result.stderr).not.toContain('warning');
  });
});

describe('config get, list, unset, path', () => {
  const stored = { 'api-key': KEY, 'base-url': 'https://x.example' };

  it.each([
    [['get', 'api-key'], '****cdef\n'],
    [['get', 'api-key', '--show-secret'], `${KEY}\n`],
    [['get', 'base-url'], 'https://x.example\n'],
    [['list'], 'api-key=****cdef\nbase-url=https://x.example\n'],
    [['list', '--show-secret'], `api-key=${KEY}\nbase-url=https://x.example\n`],
    [['path'], `${STORE_PATH}\n`],
  ])('%j prints %j', async (args, expected) => {
    const result = await run(args, { stored });
    expect(result).toMatchObject({ status: 0, stdout: expected, stderr: '' });
  });

  it('get of a setting that is not stored: exit 1, nothing on stdout, one line on stderr', async () => {
    const result = await run(['get', 'api-key']);
    expect(result).toMatchObject({
      status: 1,
      stdout: '',
      stderr: 'runloop-tail: api-key is not set (runloop-tail config set api-key)\n',
    });
  });

  it('list of an empty store prints nothing', async () => {
    expect(await run(['list'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('unset removes, and is fine when there is nothing to remove', async () => {
    const first = await run(['unset', 'api-key'], { stored });
    expect(first).toMatchObject({ status: 0, stdout: '', stderr: `runloop-tail: removed api-key from ${STORE_PATH}\n` });
    expect(await first.store.read()).toEqual({ 'base-url': 'https://x.example' });
    expect(await run(['unset', 'api-key'])).toMatchObject({ status: 0, stderr: 'runloop-tail: api-key was not set\n' });
  });

  it.each([
    ['get', 'apikey', "runloop-tail: unknown setting 'apikey' — did you mean 'api-key'?\n"],
    ['get', 'base_url', "runloop-tail: unknown setting 'base_url' — did you mean 'base-url'?\n"],
    ['unset', 'foo', "runloop-tail: unknown setting 'foo'; the settings are api-key and base-url\n"],
    ['set', KEY, 'runloop-tail: unknown setting (not shown: it may be a secret); the settings are api-key and base-url\n'],
    ['get', KEY, 'runloop-tail: unknown setting (not shown: it may be a secret); the settings are api-key and base-url\n'],
  ])('unknown key (%s %s): exit 2, named unless it may be a secret, the valid keys listed', async (command, name, says) => {
    const result = await run([command, name], { stored });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(says);
  });

  it('a broken store: exit 2 with its one line', async () => {
    const broken: SettingsStore = {
      path: STORE_PATH,
      read: () => Promise.reject(new TailError('config', `config file ${STORE_PATH} is not valid JSON; fix or remove it`)),
      set: () => Promise.reject(new Error('unreachable')),
      unset: () => Promise.reject(new Error('unreachable')),
    };
    const { io, stdout } = fakeIo();
    const program = new Command('runloop-tail').exitOverride();
    registerConfig(program, { io, finish: () => undefined }, { openStore: () => broken });
    await expect(program.parseAsync(['config', 'list'], { from: 'user' })).rejects.toMatchObject({
      kind: 'config',
      exitStatus: 2,
    });
    expect(stdout()).toBe('');
  });
});
