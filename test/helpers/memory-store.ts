import type { SettingsStore, StoredSettings } from '../../src/settings/store.js';

/** A settings store in memory, for tests that must not touch the disk. */
export function memoryStore(initial: StoredSettings = {}, filePath = '/memory/config.json'): SettingsStore {
  const values: StoredSettings = { ...initial };
  return {
    path: filePath,
    read: () => Promise.resolve({ ...values }),
    set: (key, value) => {
      values[key] = value;
      return Promise.resolve();
    },
    unset: (key) => {
      const had = values[key] !== undefined;
      delete values[key];
      return Promise.resolve(had);
    },
  };
}
