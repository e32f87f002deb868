import { TailError } from '../errors.js';

/** The settings the store holds, by the names `runloop-tail config` uses. */
export type SettingKey = 'api-key' | 'base-url';

/** Every setting key, in the order `config list` prints them. */
export const SETTING_KEYS: readonly SettingKey[] = ['api-key', 'base-url'];

/** Narrows a user-given name to a setting key. */
export function isSettingKey(name: string): name is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(name);
}

// A name short and plain enough to be a mistyped setting name rather than a secret typed in the
// wrong place (keys are longer: the mask shows nothing of a secret under 16 characters either).
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/**
 * Checks a setting name from the command line; throws TailError('usage') naming the valid keys.
 * The rejected name is quoted only when it is short and plain: a long one is often the key
 * itself, typed in the wrong place, and must not be echoed.
 */
export function parseSettingKey(name: string): SettingKey {
  if (isSettingKey(name)) return name;
  const known = SETTING_KEYS.join(' and ');
  if (!PLAIN_NAME.test(name)) throw new TailError('usage', `unknown setting (not shown: it may be a secret); the settings are ${known}`);
  const near = SETTING_KEYS.find((key) => key.replace(/-/g, '') === name.toLowerCase().replace(/[-_.]/g, ''));
  throw new TailError('usage', near ? `unknown setting '${name}' — did you mean '${near}'?` : `unknown setting '${name}'; the settings are ${known}`);
}
