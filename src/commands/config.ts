import type { Command } from 'commander';
import { EXIT_NOT_SET, EXIT_OK, TailError } from '../errors.js';
import type { CommandContext } from './context.js';
import { checkApiKey, normaliseApiKey } from '../settings/api-key.js';
import { checkTransport, normaliseBaseUrl } from '../settings/base-url.js';
import { SETTING_KEYS, parseSettingKey, type SettingKey } from '../settings/keys.js';
import { maskSecret } from '../settings/mask.js';
import { readSecret } from '../settings/prompt.js';
import { openConfStore, type SettingsStore } from '../settings/store.js';

/** What `registerConfig` may be given instead of the real store (tests). */
export interface ConfigDependencies {
  readonly openStore?: () => SettingsStore;
}

/**
 * Adds the `config` command: `set`, `get`, `unset`, `list`, `path` for `api-key` and `base-url`.
 * Values go to stdout, messages to stderr. Exit statuses: 0; 1 for `get` of a setting that is not
 * stored; 2 for a wrong command line or a broken store; 130 for Ctrl-C at the prompt.
 */
export function registerConfig(program: Command, context: CommandContext, dependencies: ConfigDependencies = {}): void {
  const { io } = context;
  let store: SettingsStore | undefined;
  const openStore = (): SettingsStore =>
    (store ??= dependencies.openStore ? dependencies.openStore() : openConfStore({ env: io.env }));
  const say = (line: string) => io.stderr.write(`runloop-tail: ${line}\n`);

  const config = program
    .command('config')
    .description('show or change the stored settings (api-key, base-url)')
    .addHelpText(
      'after',
      `
Settings: ${SETTING_KEYS.join(', ')}. Flags and RUNLOOP_API_KEY / RUNLOOP_BASE_URL
override them. The API key is read from a hidden prompt, or from stdin when
piped:
  printenv RUNLOOP_API_KEY | runloop-tail config set api-key
The file is $XDG_CONFIG_HOME/runloop-tail/config.json, mode 600
(see: runloop-tail config path).`,
    );

  config
    .command('set')
    .description('store a setting; api-key is read from a hidden prompt or stdin, never from the command line')
    .argument('<key>', SETTING_KEYS.join(' or '))
    .argument('[value]', 'the value, for base-url')
    .action(async (name: string, value: string | undefined) => {
      const key = parseSettingKey(name);
      const target = openStore();
      if (key === 'api-key') {
        if (value !== undefined) {
          throw new TailError(
            'usage',
            'not saved: a key on the command line stays in shell history and is visible in the process list; run runloop-tail config set api-key to type it at a hidden prompt, or pipe it in (printenv RUNLOOP_API_KEY | runloop-tail config set api-key)',
          );
        }
        const fromTerminal = io.stdin.isTTY === true;
        const raw = await readSecret({
          input: io.stdin,
          output: io.stderr,
          prompt: 'Runloop API key (input hidden): ',
          signal: io.signal,
        });
        const apiKey = normaliseApiKey(raw);
        const where = fromTerminal ? 'the prompt' : 'stdin';
        if (apiKey === undefined) throw new TailError('usage', `no API key given on ${where}; nothing was saved`);
        checkApiKey(apiKey, where, 'usage', 'nothing was saved');
        await target.set(key, apiKey);
        say(`saved api-key (${maskSecret(apiKey)}) to ${target.path}`);
      } else {
        if (value === undefined) {
          throw new TailError('usage', 'config set base-url needs a URL, e.g. runloop-tail config set base-url https://api.runloop.ai');
        }
        const baseUrl = normaliseBaseUrl(value, { label: 'base-url', hint: 'nothing was saved' });
        await target.set(key, baseUrl);
        say(`saved base-url ${baseUrl} to ${target.path}`);
        try {
          checkTransport(baseUrl, false, 'base-url');
        } catch {
          say('warning: this is http:// to a host that is not loopback; runloop-tail will refuse it unless --insecure is given');
        }
      }
      context.finish(EXIT_OK);
    });

  config
    .command('get')
    .description('print a stored setting (api-key masked unless --show-secret); exit 1 when it is not set')
    .argument('<key>', SETTING_KEYS.join(' or '))
    .option('--show-secret', 'print the API key itself')
    .action(async (name: string, options: { showSecret?: boolean }) => {
      const key = parseSettingKey(name);
      const value = (await openStore().read())[key];
      if (value === undefined) {
        say(`${key} is not set (runloop-tail config set ${key})`);
        context.finish(EXIT_NOT_SET);
        return;
      }
      io.stdout.write(`${shown(key, value, options.showSecret === true)}\n`);
      context.finish(EXIT_OK);
    });

  config
    .command('unset')
    .description('remove a stored setting')
    .argument('<key>', SETTING_KEYS.join(' or '))
    .action(async (name: string) => {
      const key = parseSettingKey(name);
      const target = openStore();
      const removed = await target.unset(key);
      say(removed ? `removed ${key} from ${target.path}` : `${key} was not set`);
      context.finish(EXIT_OK);
    });

  config
    .command('list')
    .description('print the stored settings as key=value (api-key masked unless --show-secret)')
    .option('--show-secret', 'print the API key itself')
    .action(async (options: { showSecret?: boolean }) => {
      const settings = await openStore().read();
      for (const key of SETTING_KEYS) {
        const value = settings[key];
        if (value !== undefined) io.stdout.write(`${key}=${shown(key, value, options.showSecret === true)}\n`);
      }
      context.finish(EXIT_OK);
    });

  config
    .command('path')
    .description('print the path of the config file (whether or not it exists yet)')
    .action(() => {
      io.stdout.write(`${openStore().path}\n`);
      context.finish(EXIT_OK);
    });
}

function shown(key: SettingKey, value: string, showSecret: boolean): string {
  return key === 'api-key' && !showSecret ? maskSecret(value) : value;
}
