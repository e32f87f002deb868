/**
 * What `status` and `kill` share: the settings options, and one call about an execution retried
 * through transient failures, printed as one line or as the service's JSON view.
 */
import { Option, type Command } from 'commander';
import { validateId } from '../api/ids.js';
import type { Io } from '../io.js';
import { API_KEY_HELP, BASE_URL_HELP, INSECURE_HELP } from '../settings/resolve.js';
import { DEFAULT_MAX_RETRIES } from './follow-options.js';
import { checkedBy, parseCount } from './values.js';

/** The flags of a one-call command. */
export interface CallFlags {
  apiKey?: string;
  baseUrl?: string;
  insecure?: boolean;
  maxRetries?: string;
  json?: boolean;
}

/** Adds the settings options, --max-retries and --json. */
export function addCallOptions(command: Command, jsonHelp: string): Command {
  return command
    .option('--api-key <key>', API_KEY_HELP)
    .option('--base-url <url>', BASE_URL_HELP)
    .option('--insecure', INSECURE_HELP)
    .option('--max-retries <n>', 'consecutive failed attempts before giving up', checkedBy((text) => parseCount('--max-retries', text)), String(DEFAULT_MAX_RETRIES))
    .addOption(new Option('--json', jsonHelp));
}

/**
 * JSON text safe for a terminal: JSON.stringify leaves DEL and the C1 controls (U+007F–U+009F) as
 * they are, and some terminals act on C1; as `\u` escapes they are still the same JSON value.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Validates the ids and the flags, resolves the settings, and gives the call what it needs. */
export async function prepareCall(io: Io, devboxId: string, executionId: string, flags: CallFlags) {
  const ids = { devboxId: validateId('devbox id', devboxId), executionId: validateId('execution id', executionId) };
  // Checked as commander parsed it; converted here.
  const maxRetries = parseCount('--max-retries', flags.maxRetries ?? String(DEFAULT_MAX_RETRIES));
  const { resolveSettings } = await import('../settings/resolve.js');
  const insecure = flags.insecure === true;
  const settings = await resolveSettings({ flags: { apiKey: flags.apiKey, baseUrl: flags.baseUrl, insecure }, env: io.env });
  // The same proxy and CA rules as a follow: every request of the tool goes out one way.
  const { networkFor } = await import('./network.js');
  const { transport } = networkFor(io.env, settings.baseUrl, insecure);
  return { ...ids, maxRetries, target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport } };
}
