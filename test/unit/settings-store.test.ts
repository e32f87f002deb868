import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TailError } from '../../src/errors.js';
import { configDirectory, openConfStore, storeError } from '../../src/settings/store.js';
import { memoryStore } from '../helpers/memory-store.js';

const KEY = 'sk_live_0123456789abcdef';
const isRoot = process.getuid?.() === 0;

let temp: string;
let dir: string;
let file: string;
beforeEach(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'runloop-tail-store-'));
  dir = path.join(temp, 'runloop-tail');
  file = path.join(dir, 'config.json');
});
afterEach(() => {
  fs.rmSync(temp, { recursive: true, force: true });
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const storeAt = (cwd = dir) => openConfStore({ env: {}, cwd });

async function failure(promise: Promise<unknown>): Promise<TailError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TailError);
  return error as TailError;
}

describe('conf store on disk', () => {
  it('reading a store that does not exist is empty and creates nothing', async () => {
    const store = storeAt();
    expect(store.path).toBe(file);
    await expect(store.read()).resolves.toEqual({});
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('set makes the folder 0700 and the file 0600, and reads back', async () => {
    await storeAt().set('api-key', KEY);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ 'api-key': KEY });
    await expect(storeAt().read()).resolves.toEqual({ 'api-key': KEY });
  });

  it('tightens a folder that is 0755 and a file that is 0644 on the next write', async () => {
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(file, JSON.stringify({ 'base-url': 'https://x.example' }), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await storeAt().set('api-key', KEY);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    await expect(storeAt().read()).resolves.toEqual({ 'base-url': 'https://x.example', 'api-key': KEY });
  });

  it('makes missing parents, leaving them to the umask as mkdir -p does', async () => {
    const deep = path.join(temp, 'a', 'b', 'runloop-tail');
    await storeAt(deep).set('base-url', 'https://x.example');
    expect(mode(deep)).toBe(0o700);
    expect(mode(path.join(deep, 'config.json'))).toBe(0o600);
  });

  it('unset removes one key, says whether it was set, and keeps the rest', async () => {
    const store = storeAt();
    await store.set('api-key', KEY);
    await store.set('base-url', 'https://x.example');
    await expect(store.unset('api-key')).resolves.toBe(true);
    await expect(store.unset('api-key')).resolves.toBe(false);
    await expect(storeAt().read()).resolves.toEqual({ 'base-url': 'https://x.example' });
    expect(mode(file)).toBe(0o600);
  });

  it('unset on a store that does not exist creates nothing', async () => {
    await expect(storeAt().unset('api-key')).resolves.toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('sees changes another process made between calls', async () => {
    const store = storeAt();
    await store.set('api-key', KEY);
    fs.writeFileSync(file, JSON.stringify({ 'api-key': 'changed_elsewhere_000000' }));
    await expect(store.read()).resolves.toEqual({ 'api-key': 'changed_elsewhere_000000' });
  });

  it('ignores keys it does not know and empty values', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, JSON.stringify({ 'api-key': '', other: 1, 'a.b': 'c', 'base-url': 'https://x.example' }));
    await expect(storeAt().read()).resolves.toEqual({ 'base-url': 'https://x.example' });
  });

  it('an empty file (touch) is an empty store', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, '');
    await expect(storeAt().read()).resolves.toEqual({});
  });
});

describe('a broken store: one line naming the file and the fix, never the contents', () => {
  const corrupt = `{"api-key": "${KEY}",`;

  it('corrupted JSON → TailError config on read', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, corrupt);
    const error = await failure(storeAt().read());
    expect(error.kind).toBe('config');
    expect(error.exitStatus).toBe(2);
    expect(error.message).toBe(`config file ${file} is not valid JSON; fix or remove it`);
    expect(error.cause).toBeUndefined(); // JSON.parse's message quotes the file
  });

  it('corrupted JSON → set and unset refuse and leave the file as it was', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, corrupt);
    expect((await failure(storeAt().set('base-url', 'https://x.example'))).kind).toBe('config');
    expect((await failure(storeAt().unset('api-key'))).kind).toBe('config');
    expect(fs.readFileSync(file, 'utf8')).toBe(corrupt);
  });

  it.each(['[1, 2]', '"a string"', 'null', '42'])('JSON that is not an object (%s) → config', async (text) => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, text);
    const error = await failure(storeAt().read());
    expect(error).toMatchObject({ kind: 'config', message: `config file ${file} does not hold a JSON object; fix or remove it` });
  });

  it('a value that is not a string → config naming the key; unset repairs it', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, JSON.stringify({ 'api-key': { nested: KEY } }));
    const error = await failure(storeAt().read());
    expect(error.kind).toBe('config');
    expect(error.message).toContain(file);
    expect(error.message).toContain('"api-key" is not a string');
    expect(error.message).toContain('runloop-tail config unset api-key');
    expect(error.message).not.toContain(KEY);
    await expect(storeAt().unset('api-key')).resolves.toBe(true);
    await expect(storeAt().read()).resolves.toEqual({});
  });

  it('config.json being a directory → config', async () => {
    fs.mkdirSync(file, { recursive: true });
    const error = await failure(storeAt().read());
    expect(error).toMatchObject({ kind: 'config', message: `config file ${file} is a directory; remove it` });
  });

  it('a file where the folder should be → config', async () => {
    fs.writeFileSync(dir, 'not a folder');
    expect((await failure(storeAt().read())).kind).toBe('config');
    const error = await failure(storeAt().set('api-key', KEY));
    expect(error.kind).toBe('config');
    expect(error.message).toContain(file);
  });

  it.skipIf(isRoot)('an unreadable file → config naming the file and the fix', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(file, '{}');
    fs.chmodSync(file, 0o000);
    const error = await failure(storeAt().read());
    expect(error.message).toBe(
      `cannot read config file ${file}: permission denied; it and its folder should belong to you (chmod 600 for the file, 700 for the folder), or remove them`,
    );
  });

  const errno = (code: string) => Object.assign(new Error(`${code}: something, open '/x'`), { code });
  it.each([
    [errno('EACCES'), 'read', 'cannot read config file /c.json: permission denied; '],
    [errno('EPERM'), 'write', 'cannot write config file /c.json: permission denied; '],
    [errno('EISDIR'), 'read', 'config file /c.json is a directory; remove it'],
    [errno('ENOTDIR'), 'write', 'cannot write config file /c.json: part of its path is not a directory'],
    [errno('EROFS'), 'write', 'cannot write config file /c.json: EROFS'],
    [new SyntaxError(`Unexpected token in JSON: "${KEY}"`), 'read', 'config file /c.json is not valid JSON; fix or remove it'],
    [new Error('odd'), 'read', 'cannot read config file /c.json: odd'],
  ] as const)('storeError(%s, %s)', (error, action, expected) => {
    const mapped = storeError(error, '/c.json', action);
    expect(mapped.kind).toBe('config');
    expect(mapped.message.startsWith(expected)).toBe(true);
    expect(mapped.message).not.toContain(KEY);
  });
});

describe('configDirectory', () => {
  it.each([
    ['XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, 'linux', '/xdg/runloop-tail'],
    ['HOME when XDG_CONFIG_HOME is unset', { HOME: '/home/u' }, 'linux', '/home/u/.config/runloop-tail'],
    ['HOME when XDG_CONFIG_HOME is empty', { XDG_CONFIG_HOME: '', HOME: '/home/u' }, 'linux', '/home/u/.config/runloop-tail'],
    ['HOME when XDG_CONFIG_HOME is relative', { XDG_CONFIG_HOME: 'rel', HOME: '/home/u' }, 'linux', '/home/u/.config/runloop-tail'],
    ['XDG on macOS too', { XDG_CONFIG_HOME: '/xdg', HOME: '/Users/u' }, 'darwin', '/xdg/runloop-tail'],
    ['~/.config on macOS', { HOME: '/Users/u' }, 'darwin', '/Users/u/.config/runloop-tail'],
    ['APPDATA on Windows', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u\\AppData\\Roaming\\runloop-tail'],
  ] as const)('%s', (_, env, platform, expected) => {
    expect(configDirectory(env, platform)).toBe(expected);
  });

  it('falls back to the home directory of the user without HOME', () => {
    expect(configDirectory({}, 'linux')).toBe(path.posix.join(os.homedir(), '.config', 'runloop-tail'));
  });

  it('openConfStore finds the file from the given env, not process.env', () => {
    expect(openConfStore({ env: { XDG_CONFIG_HOME: '/given' } }).path).toBe(
      path.join('/given', 'runloop-tail', 'config.json'),
    );
  });
});

describe('memoryStore', () => {
  it('reads, sets and unsets like the real one', async () => {
    const store = memoryStore({ 'api-key': KEY });
    await expect(store.read()).resolves.toEqual({ 'api-key': KEY });
    await store.set('base-url', 'https://x.example');
    await expect(store.unset('api-key')).resolves.toBe(true);
    await expect(store.unset('api-key')).resolves.toBe(false);
    await expect(store.read()).resolves.toEqual({ 'base-url': 'https://x.example' });
  });
});
