/**
 * The options shared by the commands that follow an execution (`tail`, `exec`): their commander
 * definitions and their validation into one plain object.
 */
import { Option, type Command } from 'commander';
import { TailError } from '../errors.js';
import { API_KEY_HELP, BASE_URL_HELP, INSECURE_HELP } from '../settings/resolve.js';
import { checkedBy, parseChoice, parseCount, parseDuration, parseOffset } from './values.js';
import type { StreamName } from '../stream/types.js';
import type { ColorFlag } from '../render/color.js';

/** What commander hands the action (strings as typed). */
export interface RawFollowOptions {
  apiKey?: string;
  baseUrl?: string;
  insecure?: boolean;
  stdoutOffset?: string;
  stderrOffset?: string;
  merge?: boolean;
  stdoutOnly?: boolean;
  stderrOnly?: boolean;
  maxRetries?: string;
  idleTimeout?: string;
  timeout?: string;
  /** `false` from --no-color. */
  color?: string | false;
  /** -f/--follow: what a follow does anyway; accepted because people type it. */
  follow?: boolean;
  prefix?: boolean;
  timestamps?: boolean;
  json?: boolean;
  raw?: boolean;
  verbose?: boolean;
  tail?: string;
  save?: string;
}

/** The validated options. */
export interface FollowSettings {
  readonly flags: { readonly apiKey?: string; readonly baseUrl?: string; readonly insecure: boolean };
  readonly startOffsets: Record<StreamName, number>;
  readonly streams: readonly StreamName[];
  readonly merge: boolean;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly timeoutMs: number | undefined;
  readonly color: ColorFlag;
  readonly prefix: boolean;
  readonly timestamps: boolean;
  readonly json: boolean;
  readonly raw: boolean;
  readonly verbose: boolean;
  /** `--tail N`: start each stream with its last N lines (undefined: from the start offsets). */
  readonly tail: number | undefined;
  /** `--save DIR`: write each stream to DIR/<execution>.stdout|.stderr and resume from what they hold. */
  readonly save: string | undefined;
}

export const DEFAULT_MAX_RETRIES = 10;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
export const COLOR_CHOICES: readonly ColorFlag[] = ['auto', 'always', 'never'];

/** `--color <when>`, its values known to the help and to shell completion. */
export function colorOption(): Option {
  return (
    new Option('--color <when>', 'colour: auto, always or never')
      .choices(COLOR_CHOICES)
      // Our own message for a wrong value; choices() stays for the help and shell completion.
      .argParser((value) => parseChoice('--color', value, COLOR_CHOICES))
      .default('auto')
  );
}

/** Adds the settings options of every command that calls the service: --api-key, --base-url, --insecure. */
export function addSettingsOptions(command: Command): Command {
  return command.option('--api-key <key>', API_KEY_HELP).option('--base-url <url>', BASE_URL_HELP).option('--insecure', INSECURE_HELP);
}

/** `--max-retries <n>`, the same for a follow and for one call. */
export function maxRetriesOption(): Option {
  return new Option('--max-retries <n>', 'consecutive failed attempts before giving up')
    .argParser(checkedBy((text) => parseCount('--max-retries', text)))
    .default(String(DEFAULT_MAX_RETRIES));
}

/** The check of `--stdout-offset`/`--stderr-offset` values by default: a byte offset. */
function checkOffset(flag: string, text: string): void {
  parseOffset(flag, text);
}

/**
 * Adds the follow options to a command. `exec` leaves `-n` to `--no-stdin` (as ssh -n does), so
 * its `--tail` has no short form; and it checks the offsets its own way (`offsetCheck`: it starts
 * a new execution, so it takes none).
 */
export function addFollowOptions(
  command: Command,
  { tailShortFlag = true, offsetCheck = checkOffset }: { tailShortFlag?: boolean; offsetCheck?: (flag: string, text: string) => void } = {},
): Command {
  return addSettingsOptions(command)
    .option('--stdout-offset <bytes>', 'resume stdout from this byte offset', checkedBy((text) => offsetCheck('--stdout-offset', text)), '0')
    .option('--stderr-offset <bytes>', 'resume stderr from this byte offset', checkedBy((text) => offsetCheck('--stderr-offset', text)), '0')
    .option('--save <dir>', 'also save each stream to DIR/<execution>.stdout|.stderr (.json at the end); rerun to resume')
    .option(tailShortFlag ? '-n, --tail <lines>' : '--tail <lines>', 'start each stream with its last N lines so far, then follow (0: only new output)', checkedBy((text) => parseCount('--tail', text)))
    .addOption(new Option('--merge', 'write remote stderr to stdout too').conflicts(['stdoutOnly', 'stderrOnly']))
    .addOption(new Option('--stdout-only', 'follow stdout only').conflicts('stderrOnly'))
    .option('--stderr-only', 'follow stderr only')
    .addOption(maxRetriesOption())
    .option('--idle-timeout <seconds>', 'after this much silence, check the status and reconnect', checkedBy(parseIdleTimeout), String(DEFAULT_IDLE_TIMEOUT_SECONDS))
    .option('--timeout <duration>', 'stop after this long (e.g. 30s, 5m) with exit status 124', checkedBy((text) => parseDuration('--timeout', text)))
    .addOption(colorOption())
    .option('--no-color', 'the same as --color never')
    .option('-f, --follow', 'follow to the end (what it does anyway)')
    .option('--prefix', "label each line with 'stdout | ' or 'stderr | '")
    .option('--timestamps', 'start each line with its arrival time (ISO 8601)')
    .addOption(new Option('--json', 'one JSON object per line (stream, text, offset, time), then the exit status').conflicts(['prefix', 'timestamps']))
    .option('--raw', 'on a terminal, pass control sequences through unchanged')
    .option('-v, --verbose', 'say where settings came from, each reconnect, resends and gaps (on stderr)');
}

/** `--idle-timeout`: a duration (seconds bare) of at least 0.1 s, in milliseconds. */
export function parseIdleTimeout(text: string): number {
  const ms = parseDuration('--idle-timeout', text);
  if (ms < 100) throw new TailError('usage', '--idle-timeout must be at least 0.1 seconds');
  return ms;
}

/**
 * Turns what commander parsed into settings. Each value was already checked as it was parsed (the
 * argParsers above); this converts them and makes the checks that involve several options. Throws
 * TailError('usage').
 */
export function parseFollowOptions(raw: RawFollowOptions): FollowSettings {
  const streams: StreamName[] = raw.stdoutOnly ? ['stdout'] : raw.stderrOnly ? ['stderr'] : ['stdout', 'stderr'];
  const idleTimeoutMs = parseIdleTimeout(raw.idleTimeout ?? String(DEFAULT_IDLE_TIMEOUT_SECONDS));
  if (raw.save !== undefined && (raw.save === '' || (raw.stdoutOffset ?? '0') !== '0' || (raw.stderrOffset ?? '0') !== '0')) {
    throw new TailError('usage', raw.save === '' ? '--save needs a directory' : '--save resumes from what its files hold: leave out --stdout-offset and --stderr-offset');
  }
  return {
    flags: { apiKey: raw.apiKey, baseUrl: raw.baseUrl, insecure: raw.insecure === true },
    startOffsets: {
      stdout: parseOffset('--stdout-offset', raw.stdoutOffset ?? '0'),
      stderr: parseOffset('--stderr-offset', raw.stderrOffset ?? '0'),
    },
    streams,
    merge: raw.merge === true,
    maxRetries: parseCount('--max-retries', raw.maxRetries ?? String(DEFAULT_MAX_RETRIES)),
    idleTimeoutMs,
    timeoutMs: raw.timeout === undefined ? undefined : parseDuration('--timeout', raw.timeout),
    color: raw.color === false ? 'never' : parseChoice('--color', raw.color ?? 'auto', COLOR_CHOICES),
    prefix: raw.prefix === true,
    timestamps: raw.timestamps === true,
    json: raw.json === true,
    raw: raw.raw === true,
    verbose: raw.verbose === true,
    tail: raw.tail === undefined ? undefined : parseCount('--tail', raw.tail),
    save: raw.save,
  };
}
