import { describe, expect, it, vi } from 'vitest';
import { TailError } from '../../src/errors.js';
import {
  API_KEY_HELP,
  NO_KEY_MESSAGE,
  describeSources,
  resolveSettings,
  type ResolvedSettings,
  type SettingSource,
  type SettingsInput,
} from '../../src/settings/resolve.js';
import type { SettingsStore, StoredSettings } from '../../src/settings/store.js';
import { memoryStore } from '../helpers/memory-store.js';

const KEYS = { flag: 'key_from_flag_00000000001', env: 'key_from_env_000000000002', store: 'key_from_store_0000000003' };
const URLS = { flag: 'https://flag.example.com', env: 'https://env.example.com', store: 'https://store.example.com' };
const STORE_PATH = '/home/u/.config/runloop-tail/config.json';

/** Which places hold a value: flag, env, store. */
type Given = readonly [flag: boolean, env: boolean, store: boolean];

// Written out rather than computed: the order is the thing under test.
const keyRows: readonly (readonly [Given, SettingSource | 'no-key'])[] = [
  [[true, true, true], 'flag'],
  [[true, true, false], 'flag'],
  [[true, false, true], 'flag'],
  [[true, false, false], 'flag'],
  [[false, true, true], 'env'],
  [[false, true, false], 'env'],
  [[false, false, true], 'store'],
  [[false, false, false], 'no-key'],
];
const urlRows: readonly (readonly [Given, SettingSource])[] = [
  [[true, true, true], 'flag'],
  [[true, true, false], 'flag'],
  [[true, false, true], 'flag'],
  [[true, false, false], 'flag'],
  [[false, true, true], 'env'],
  [[false, true, false], 'env'],
  [[false, false, true], 'store'],
  [[false, false, false], 'default'],
];

function countingStore(initial: StoredSettings): { open: () => Promise<SettingsStore>; opened: () => number } {
  let opened = 0;
  return {
    open: () => {
      opened++;
      return Promise.resolve(memoryStore(initial, STORE_PATH));
    },
    opened: () => opened,
  };
}

function inputFor(key: Given, url: Given, open: () => Promise<SettingsStore>): SettingsInput {
  return {
    flags: { ...(key[0] ? { apiKey: KEYS.flag } : {}), ...(url[0] ? { baseUrl: URLS.flag } : {}) },
    env: { RUNLOOP_API_KEY: key[1] ? KEYS.env : undefined, RUNLOOP_BASE_URL: url[1] ? URLS.env : undefined },
    openStore: open,
  };
}

function storedFor(key: Given, url: Given): StoredSettings {
  return { ...(key[2] ? { 'api-key': KEYS.store } : {}), ...(url[2] ? { 'base-url': URLS.store } : {}) };
}

const show = (g: Given) => ['flag', 'env', 'store'].filter((_, i) => g[i]).join('+') || 'nothing';

describe('resolution order: every combination of flag / env / store for both settings', () => {
  for (const [key, keySource] of keyRows) {
    for (const [url, urlSource] of urlRows) {
      it(`key from ${show(key)} → ${keySource}; base url from ${show(url)} → ${urlSource}`, async () => {
        const store = countingStore(storedFor(key, url));
        const result = resolveSettings(inputFor(key, url, store.open));
        if (keySource === 'no-key') {
          await expect(result).rejects.toMatchObject({ kind: 'no-key' });
        } else {
          const settings = await result;
          expect(settings.apiKeySource).toBe(keySource);
          expect(settings.apiKey).toBe(KEYS[keySource as 'flag' | 'env' | 'store']);
          expect(settings.baseUrlSource).toBe(urlSource);
          expect(settings.baseUrl).toBe(urlSource === 'default' ? 'https://api.runloop.ai' : URLS[urlSource]);
        }
        // The store (and conf with it) is consulted only when flag and env leave something open.
        const needsStore = !(key[0] || key[1]) || !(url[0] || url[1]);
        expect(store.opened()).toBe(needsStore ? 1 : 0);
      });
    }
  }
});

describe('resolveSettings', () => {
  const storeWith = (initial: StoredSettings) => () => Promise.resolve(memoryStore(initial, STORE_PATH));

  it('treats empty and blank strings as unset at every level', async () => {
    const settings = await resolveSettings({
      flags: { apiKey: '', baseUrl: '  ' },
      env: { RUNLOOP_API_KEY: '', RUNLOOP_BASE_URL: '' },
      openStore: storeWith({ 'api-key': KEYS.store, 'base-url': '' }),
    });
    expect(settings).toMatchObject({ apiKeySource: 'store', baseUrlSource: 'default', baseUrl: 'https://api.runloop.ai' });
  });

  it('trims a key copied with white space around it', async () => {
    const settings = await resolveSettings({ flags: {}, env: { RUNLOOP_API_KEY: ` ${KEYS.env}\n` }, openStore: storeWith({}) });
    expect(settings.apiKey).toBe(KEYS.env);
  });

  it('normalises the base URL: no trailing slash, path prefix kept', async () => {
    const settings = await resolveSettings({
      flags: { apiKey: KEYS.flag, baseUrl: 'HTTPS://Proxy.Example.com/runloop/' },
      env: {},
    });
    expect(settings.baseUrl).toBe('https://proxy.example.com/runloop');
  });

  it('reports the store path when the store was read, and not otherwise', async () => {
    const fromStore = await resolveSettings({ flags: {}, env: {}, openStore: storeWith({ 'api-key': KEYS.store }) });
    expect(fromStore.storePath).toBe(STORE_PATH);
    const noStore = await resolveSettings({ flags: { apiKey: KEYS.flag }, env: { RUNLOOP_BASE_URL: URLS.env } });
    expect(noStore.storePath).toBeUndefined();
  });

  it('without a key: one line naming the three ways, exit status 2', async () => {
    const error = await resolveSettings({ flags: {}, env: {}, openStore: storeWith({}) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TailError);
    const tailError = error as TailError;
    expect(tailError.kind).toBe('no-key');
    expect(tailError.exitStatus).toBe(2);
    expect(tailError.message).toBe(NO_KEY_MESSAGE);
    expect(tailError.message).not.toContain('\n');
    for (const way of ['--api-key', 'RUNLOOP_API_KEY', 'runloop-tail config set api-key']) {
      expect(tailError.message).toContain(way);
    }
  });

  it('passes a broken store on as it is', async () => {
    const broken: SettingsStore = {
      path: STORE_PATH,
      read: () => Promise.reject(new TailError('config', `config file ${STORE_PATH} is not valid JSON; fix or remove it`)),
      set: vi.fn(),
      unset: vi.fn(),
    };
    await expect(resolveSettings({ flags: {}, env: {}, openStore: () => Promise.resolve(broken) })).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining(STORE_PATH) as unknown,
    });
  });

  const badKey = 'sk_live with space_123456';
  it.each([
    ['flag', { flags: { apiKey: badKey }, env: {} }, '--api-key', 'usage'],
    ['env', { flags: {}, env: { RUNLOOP_API_KEY: badKey } }, 'RUNLOOP_API_KEY', 'usage'],
    ['store', { flags: {}, env: {}, openStore: storeWith({ 'api-key': badKey }) }, `api-key in ${STORE_PATH}`, 'config'],
  ] as const)('a key from %s that cannot go in a header is refused, named, not quoted', async (_, input, label, kind) => {
    const error = (await resolveSettings(input as SettingsInput).catch((e: unknown) => e)) as TailError;
    expect(error).toMatchObject({ kind, exitStatus: 2 });
    expect(error.message).toContain(`the API key from ${label} `);
    expect(error.message).not.toContain('sk_live');
  });

  it.each([
    ['--base-url', { flags: { apiKey: KEYS.flag, baseUrl: 'ftp://x.example' }, env: {} }, 'usage'],
    ['RUNLOOP_BASE_URL', { flags: { apiKey: KEYS.flag }, env: { RUNLOOP_BASE_URL: 'not a url' } }, 'usage'],
    [
      `base-url in ${STORE_PATH}`,
      { flags: { apiKey: KEYS.flag }, env: {}, openStore: storeWith({ 'base-url': 'https://x.example/?q=1' }) },
      'config',
    ],
  ] as const)('a bad base URL is refused naming its source: %s', async (label, input, kind) => {
    const error = (await resolveSettings(input as SettingsInput).catch((e: unknown) => e)) as TailError;
    expect(error).toMatchObject({ kind, exitStatus: 2 });
    expect(error.message.startsWith(`${label} `)).toBe(true);
    if (kind === 'config') expect(error.message).toContain('runloop-tail config set base-url');
  });

  it('does not quote the key when it was put in RUNLOOP_BASE_URL by mistake', async () => {
    const key = 'sk_live_0123456789abcdef';
    const error = (await resolveSettings({
      flags: { apiKey: key },
      env: { RUNLOOP_BASE_URL: key },
    }).catch((e: unknown) => e)) as TailError;
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('RUNLOOP_BASE_URL is not a valid http(s) URL');
    expect(error.message).not.toContain(key);
  });

  it.each([
    ['http://api.example.com', false, 'insecure'],
    ['http://api.example.com', true, null],
    ['http://127.0.0.1:8080', false, null],
    ['http://localhost:8080', false, null],
    ['http://[::1]:8080', false, null],
    ['https://api.example.com', false, null],
  ] as const)('base url %s with insecure=%s → %s', async (baseUrl, insecure, expected) => {
    const result = resolveSettings({ flags: { apiKey: KEYS.flag, baseUrl, insecure }, env: {} });
    if (expected === null) await expect(result).resolves.toMatchObject({ baseUrlSource: 'flag' });
    else await expect(result).rejects.toMatchObject({ kind: expected, exitStatus: 2, message: expect.stringContaining('--insecure') as unknown });
  });
});

describe('describeSources', () => {
  const cases: readonly (readonly [string, ResolvedSettings, readonly string[]])[] = [
    [
      'flag and default',
      { apiKey: 'sk_live_0123456789abcdef', apiKeySource: 'flag', baseUrl: 'https://api.runloop.ai', baseUrlSource: 'default' },
      ['api key: ****cdef from --api-key', 'base url: https://api.runloop.ai (the default)'],
    ],
    [
      'env and env',
      { apiKey: 'sk_live_0123456789abcdef', apiKeySource: 'env', baseUrl: 'http://127.0.0.1:9', baseUrlSource: 'env' },
      ['api key: ****cdef from RUNLOOP_API_KEY', 'base url: http://127.0.0.1:9 from RUNLOOP_BASE_URL'],
    ],
    [
      'store and flag, short key',
      { apiKey: 'short', apiKeySource: 'store', baseUrl: 'https://x.example', baseUrlSource: 'flag', storePath: STORE_PATH },
      [`api key: **** from api-key in ${STORE_PATH}`, 'base url: https://x.example from --base-url'],
    ],
    [
      'both from the store',
      { apiKey: 'sk_live_0123456789abcdef', apiKeySource: 'store', baseUrl: 'https://x.example', baseUrlSource: 'store', storePath: STORE_PATH },
      [`api key: ****cdef from api-key in ${STORE_PATH}`, `base url: https://x.example from base-url in ${STORE_PATH}`],
    ],
  ];
  it.each(cases)('%s', (_, settings, expected) => {
    const lines = describeSources(settings);
    expect(lines).toEqual(expected);
    expect(lines.join('\n')).not.toContain(settings.apiKey);
  });
});

it('the --api-key help warns about the process list and recommends env or config', () => {
  expect(API_KEY_HELP).toMatch(/process list/);
  expect(API_KEY_HELP).toContain('RUNLOOP_API_KEY');
  expect(API_KEY_HELP).toContain('runloop-tail config set api-key');
});
