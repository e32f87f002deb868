/**
 * The options of a follow as command-line words, for the resume and re-attach lines: the printed
 * command must follow the same execution on the same service the same way (views, colour, streams,
 * retry policy, saved files), so nothing that was given is dropped. The API key never is among them: the
 * resumed command finds it where this one did (environment or config store), or the user passes it.
 */
import type { ResolvedSettings } from '../settings/resolve.js';
import { DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_RETRIES, type FollowSettings } from './follow-options.js';

/**
 * Everything but the ids and offsets, in the order `--help` lists them. Not `--timeout`: it is the
 * budget of this run (the line is printed when it runs out), and `--tail`: the offsets say where to
 * go on.
 */
export function followArgs(options: FollowSettings, settings: Pick<ResolvedSettings, 'baseUrl' | 'baseUrlSource'>): string[] {
  const args: string[] = [];
  // Also when it came from the environment or the store: a resume line pasted into another shell
  // must not send the key to the default service.
  if (settings.baseUrlSource !== 'default') args.push('--base-url', settings.baseUrl);
  if (options.flags.insecure) args.push('--insecure');
  if (options.merge) args.push('--merge');
  if (options.streams.length === 1) args.push(options.streams[0] === 'stdout' ? '--stdout-only' : '--stderr-only');
  if (options.maxRetries !== DEFAULT_MAX_RETRIES) args.push('--max-retries', String(options.maxRetries));
  if (options.idleTimeoutMs !== DEFAULT_IDLE_TIMEOUT_SECONDS * 1000) args.push('--idle-timeout', `${options.idleTimeoutMs}ms`);
  if (options.color !== 'auto') args.push('--color', options.color);
  if (options.prefix) args.push('--prefix');
  if (options.timestamps) args.push('--timestamps');
  if (options.json) args.push('--json');
  if (options.raw) args.push('--raw');
  if (options.verbose) args.push('--verbose');
  // The files go on where they stopped (a rerun resumes from their sizes, which match the offsets).
  if (options.save !== undefined) args.push('--save', options.save);
  return args;
}
