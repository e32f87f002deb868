import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Conf from 'conf';
import { TailError } from '../errors.js';
import { SETTING_KEYS, type SettingKey } from './keys.js';

/** The stored settings; a key that is not set is absent. */
export type StoredSettings = Partial<Record<SettingKey, string>>;

/** Where `api-key` and `base-url` are kept between runs. Every method throws TailError('config') on a broken store. */
export interface SettingsStore {
  /** The file, for messages and `config path`. */
  readonly path: string;
  /** Every stored setting. A missing file is an empty store. */
  read(): Promise<StoredSettings>;
  /** Stores one setting (creating the file 0600 in a folder kept 0700). */
  set(key: SettingKey, value: string): Promise<void>;
  /** Removes one setting; resolves true when it was set. */
  unset(key: SettingKey): Promise<boolean>;
}

/** The file name inside the config folder (conf's default). */
export const CONFIG_FILE_NAME = 'config.json';

/** Project name for conf and the folder under the user's config directory. */
export const PROJECT_NAME = 'runloop-tail';

/**
 * The folder the store lives in, from the given environment (not process.env):
 * `$XDG_CONFIG_HOME/runloop-tail`, else `$HOME/.config/runloop-tail`; on Windows without
 * XDG_CONFIG_HOME, `%APPDATA%\runloop-tail`. A relative XDG_CONFIG_HOME is ignored, as the XDG
 * spec says.
 */
export function configDirectory(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && pathApi.isAbsolute(xdg)) return pathApi.join(xdg, PROJECT_NAME);
  if (platform === 'win32' && env.APPDATA) return pathApi.join(env.APPDATA, PROJECT_NAME);
  const home = env.HOME || os.homedir();
  return pathApi.join(home, '.config', PROJECT_NAME);
}

/** Options of {@link openConfStore}. */
export interface ConfStoreOptions {
  /** Used to find the folder when `cwd` is not given. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder to use instead (tests). */
  readonly cwd?: string;
}

/**
 * The store on disk, kept by conf. conf (~70 ms to import) is loaded on the first call that finds
 * a file to read or has something to write; reading a store that does not exist costs a `stat`.
 */
export function openConfStore(options: ConfStoreOptions): SettingsStore {
  return new ConfSettingsStore(options.cwd ?? configDirectory(options.env));
}


/**
 * The one-line message for an error met reading or writing the config file. The cause is not
 * kept: JSON.parse quotes the file's text, which holds the key.
 */
export function storeError(error: unknown, filePath: string, action: 'read' | 'write'): TailError {
  if (error instanceof TailError) return error;
  if (error instanceof NotAnObjectError) {
    return new TailError('config', `config file ${filePath} does not hold a JSON object; fix or remove it`);
  }
  if (error instanceof SyntaxError) {
    return new TailError('config', `config file ${filePath} is not valid JSON; fix or remove it`);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new TailError(
        'config',
        `cannot ${action} config file ${filePath}: permission denied; it and its folder should belong to you (chmod 600 for the file, 700 for the folder), or remove them`,
      );
    case 'EISDIR':
      return new TailError('config', `config file ${filePath} is a directory; remove it`);
    case 'ENOTDIR':
      return new TailError('config', `cannot ${action} config file ${filePath}: part of its path is not a directory`);
    default:
      return new TailError(
        'config',
        `cannot ${action} config file ${filePath}: ${code ?? (error instanceof Error ? error.message : String(error))}`,
      );
  }
}

/** Thrown by our deserializer for valid JSON that is not an object (`[]`, `"x"`, `null`). */
class NotAnObjectError extends Error {}

type ConfInstance = Conf<Record<string, unknown>>;

class ConfSettingsStore implements SettingsStore {
  readonly path: string;
  readonly #directory: string;
  #conf: ConfInstance | undefined;

  constructor(directory: string) {
    this.#directory = directory;
    this.path = path.join(directory, CONFIG_FILE_NAME);
  }

  async read(): Promise<StoredSettings> {
    if (!this.#exists()) return {};
    return checkedSettings(this.#data(await this.#open()), this.path);
  }

  async set(key: SettingKey, value: string): Promise<void> {
    try {
      ensurePrivateDirectory(this.#directory);
    } catch (error) {
      throw storeError(error, this.path, 'write');
    }
    const conf = await this.#open();
    try {
      conf.set(key, value);
    } catch (error) {
      throw storeError(error, this.path, 'write');
    }
  }

  async unset(key: SettingKey): Promise<boolean> {
    if (!this.#exists()) return false;
    const conf = await this.#open();
    // Not checked beyond valid JSON: unset is how a hand-broken value gets repaired.
    if (!Object.hasOwn(this.#data(conf), key)) return false;
    try {
      ensurePrivateDirectory(this.#directory);
      conf.delete(key);
    } catch (error) {
      throw storeError(error, this.path, 'write');
    }
    return true;
  }

  #exists(): boolean {
    try {
      fs.statSync(this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw storeError(error, this.path, 'read');
    }
  }

  async #open(): Promise<ConfInstance> {
    if (this.#conf) return this.#conf;
    const { default: ConfClass } = await import('conf');
    try {
      this.#conf = new ConfClass<Record<string, unknown>>({
        projectName: PROJECT_NAME,
        projectSuffix: '',
        cwd: this.#directory,
        configFileMode: 0o600,
        // Our keys contain dashes, not paths; a hand-written "a.b" key must not become nesting.
        accessPropertiesByDotNotation: false,
        deserialize: parseConfigText,
      });
    } catch (error) {
      throw storeError(error, this.path, 'read');
    }
    return this.#conf;
  }

  /** The whole file, read again through conf (another process may have changed it). */
  #data(conf: ConfInstance): Record<string, unknown> {
    try {
      return conf.store;
    } catch (error) {
      throw storeError(error, this.path, 'read');
    }
  }
}

/** The known keys of a stored object, checked to hold strings; '' counts as unset. */
function checkedSettings(data: Record<string, unknown>, filePath: string): StoredSettings {
  const settings: StoredSettings = {};
  for (const key of SETTING_KEYS) {
    const value = data[key];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') {
      throw new TailError(
        'config',
        `config file ${filePath}: "${key}" is not a string; fix it, or run runloop-tail config unset ${key}`,
      );
    }
    settings[key] = value;
  }
  return settings;
}

/** conf's deserializer: JSON objects only; an empty file (from `touch`) is an empty store. */
function parseConfigText(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NotAnObjectError();
  return value as Record<string, unknown>;
}

/**
 * Makes the folder if needed, then sets it to 0700 whatever it was: conf would make it 0755, and
 * an older folder may be that already. Parents are made with the default mode, as mkdir -p does.
 */
function ensurePrivateDirectory(directory: string): void {
  fs.mkdirSync(path.dirname(directory), { recursive: true });
  try {
    fs.mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  fs.chmodSync(directory, 0o700);
}
