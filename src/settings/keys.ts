import { TailError } from '../errors.js';

/** The settings the store holds, by the names `runloop-tail config` uses. */
export type SettingKey = 'api-key' | 'base-url';

/** Every setting key, in the order `config list` prints them. */
export const SETTING_KEYS: readonly SettingKey[] = ['api-key', 'base-url'];

/** Narrows a user-given name to a setting key. */
export function isSettingKey(name: string): name is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(name);
}

/**
 * Checks a setting name from the command line; throws TailError('usage') naming the valid keys.
 * The rejected name is not quoted: it is often the key itself, typed in the wrong place.
 */
export function parseSettingKey(name: string): SettingKey {
  if (isSettingKey(name)) return name;
  throw new TailError('usage', `unknown setting; the settings are ${SETTING_KEYS.join(' and ')}`);
}
