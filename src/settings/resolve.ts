/**
 * The one place the API key and base URL are decided: flag > environment > store > default.
 * conf is loaded only when the store is needed (a setting not given by flag or environment).
 */
import { TailError } from '../errors.js';
import { checkApiKey, normaliseApiKey } from './api-key.js';
import { DEFAULT_BASE_URL, checkTransport, normaliseBaseUrl } from './base-url.js';
import { maskSecret } from './mask.js';
import { openConfStore, type SettingsStore } from './store.js';

/** Where a setting came from. */
export type SettingSource = 'flag' | 'env' | 'store' | 'default';

/** The settings a command talks to the API with. */
export interface ResolvedSettings {
  readonly apiKey: string;
  readonly apiKeySource: Exclude<SettingSource, 'default'>;
  /** Normalised: http(s), no credentials, query, fragment or trailing slash. */
  readonly baseUrl: string;
  readonly baseUrlSource: SettingSource;
  /** The config file, when it was consulted (for `--verbose`). */
  readonly storePath?: string;
}

/** What the resolver reads: parsed flags, the environment, and (for tests) the store. */
export interface SettingsInput {
  readonly flags: { readonly apiKey?: string; readonly baseUrl?: string; readonly insecure?: boolean };
  /** RUNLOOP_API_KEY, RUNLOOP_BASE_URL, and XDG_CONFIG_HOME / HOME to find the store. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: the conf store under the config directory of `env`. */
  readonly openStore?: () => Promise<SettingsStore>;
}

/** The environment variables read, the names the official SDKs use. */
export const API_KEY_ENV = 'RUNLOOP_API_KEY';
export const BASE_URL_ENV = 'RUNLOOP_BASE_URL';

/** Help text for `--api-key`. */
export const API_KEY_HELP = `Runloop API key. Visible to other local users in the process list: prefer ${API_KEY_ENV} or \`runloop-tail config set api-key\``;

/** Help text for `--base-url`. */
export const BASE_URL_HELP = `API base URL (default ${DEFAULT_BASE_URL}; also ${BASE_URL_ENV} or \`runloop-tail config set base-url\`)`;

/** Help text for `--insecure`. */
export const INSECURE_HELP = 'allow http:// to a host that is not loopback (sends the API key in clear text)';

/** The one-line message for no key at all, naming the three ways to give one. */
export const NO_KEY_MESSAGE = `no API key: pass --api-key, set ${API_KEY_ENV}, or run runloop-tail config set api-key`;

/**
 * Decides the API key and base URL. Throws TailError: `no-key` (no key anywhere), `usage` (a bad
 * flag or environment value, named), `config` (a broken store or bad stored value), `insecure`
 * (http:// to a host that is not loopback without `flags.insecure`). Never puts the key in a message.
 */
export async function resolveSettings(input: SettingsInput): Promise<ResolvedSettings> {
  const { flags, env } = input;
  let apiKey = firstGiven<ResolvedSettings['apiKeySource']>([
    ['flag', normaliseApiKey(flags.apiKey)],
    ['env', normaliseApiKey(env[API_KEY_ENV])],
  ]);
  let baseUrl = firstGiven<SettingSource>([
    ['flag', nonEmpty(flags.baseUrl)],
    ['env', nonEmpty(env[BASE_URL_ENV])],
  ]);
  let storePath: string | undefined;
  if (!apiKey || !baseUrl) {
    const store = await (input.openStore ?? (() => Promise.resolve(openConfStore({ env }))))();
    const stored = await store.read();
    storePath = store.path;
    apiKey ??= firstGiven([['store', normaliseApiKey(stored['api-key'])]]);
    baseUrl ??= firstGiven([['store', nonEmpty(stored['base-url'])]]);
  }
  baseUrl ??= { source: 'default', value: DEFAULT_BASE_URL };

  if (apiKey) {
    const stored = apiKey.source === 'store';
    checkApiKey(
      apiKey.value,
      describeOrigin(apiKey.source, 'api-key', storePath),
      stored ? 'config' : 'usage',
      stored ? 'run runloop-tail config set api-key again' : 'check how it was copied',
    );
  }
  const baseUrlLabel = describeOrigin(baseUrl.source, 'base-url', storePath);
  const normalisedBaseUrl = normaliseBaseUrl(baseUrl.value, {
    label: baseUrlLabel,
    kind: baseUrl.source === 'store' ? 'config' : 'usage',
    ...(baseUrl.source === 'store' ? { hint: 'fix it with runloop-tail config set base-url URL' } : {}),
    secrets: [apiKey?.value],
  });
  if (!apiKey) throw new TailError('no-key', NO_KEY_MESSAGE);
  checkTransport(normalisedBaseUrl, flags.insecure === true, baseUrlLabel);
  return {
    apiKey: apiKey.value,
    apiKeySource: apiKey.source,
    baseUrl: normalisedBaseUrl,
    baseUrlSource: baseUrl.source,
    ...(storePath === undefined ? {} : { storePath }),
  };
}

/**
 * One line per setting for `--verbose`, saying where it came from. The key is shown masked
 * (`****` and its last 4 characters when it is long enough), never whole.
 */
export function describeSources(settings: ResolvedSettings): string[] {
  return [
    `api key: ${maskSecret(settings.apiKey)} from ${describeOrigin(settings.apiKeySource, 'api-key', settings.storePath)}`,
    settings.baseUrlSource === 'default'
      ? `base url: ${settings.baseUrl} (the default)`
      : `base url: ${settings.baseUrl} from ${describeOrigin(settings.baseUrlSource, 'base-url', settings.storePath)}`,
  ];
}

/** `--api-key`, `RUNLOOP_API_KEY`, `api-key in /x/config.json`, `the default`. */
function describeOrigin(source: SettingSource, key: 'api-key' | 'base-url', storePath: string | undefined): string {
  switch (source) {
    case 'flag':
      return `--${key}`;
    case 'env':
      return key === 'api-key' ? API_KEY_ENV : BASE_URL_ENV;
    case 'store':
      return `${key} in ${storePath ?? 'the config file'}`;
    case 'default':
      return 'the default';
  }
}

function firstGiven<S extends SettingSource>(
  candidates: readonly (readonly [S, string | undefined])[],
): { source: S; value: string } | undefined {
  for (const [source, value] of candidates) if (value !== undefined) return { source, value };
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
