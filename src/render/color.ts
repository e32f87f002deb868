/**
 * Decides the colour level of one output (stdout or stderr, each on its own) from `--color`, the
 * environment and whether the output is a terminal. chalk alone ignores NO_COLOR, so the level is
 * decided here and handed to `new Chalk({ level })`.
 */

import { Chalk, type ChalkInstance } from 'chalk';

/** 0 none, 1 basic 16 colours, 2 256 colours, 3 truecolor (chalk's levels). */
export type ColorLevel = 0 | 1 | 2 | 3;

/** The `--color` flag. */
export type ColorFlag = 'auto' | 'always' | 'never';

/** What {@link decideColorLevel} looks at. */
export interface ColorInput {
  readonly flag: ColorFlag;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether this output is a terminal. */
  readonly isTTY: boolean;
}

/**
 * The colour level of one output.
 *
 * - `never` → 0.
 * - `always` → the FORCE_COLOR level when it names one of 1–3 (or `true`), else what the terminal
 *   variables suggest, at least 1. The flag is the most specific request, so it beats NO_COLOR and
 *   FORCE_COLOR=0, and it colours a pipe too.
 * - `auto` → NO_COLOR set and non-empty → 0 (no-color.org); FORCE_COLOR → its level (`0`/`false`
 *   → 0, `1`–`3` → that level, above 3 → 3, empty/`true`/anything else → 1), even on a pipe; not a
 *   terminal → 0; TERM=dumb → 0; otherwise what the terminal variables suggest.
 *
 * Terminal variables: COLORTERM `truecolor`/`24bit` → 3, TERM containing `256` → 2, else 1.
 */
export function decideColorLevel(input: ColorInput): ColorLevel {
  const { flag, env, isTTY } = input;
  if (flag === 'never') return 0;
  const forced = forceColorLevel(env.FORCE_COLOR);
  if (flag === 'always') return forced !== undefined && forced > 0 ? forced : terminalLevel(env);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (forced !== undefined) return forced;
  if (!isTTY) return 0;
  if (env.TERM === 'dumb') return 0;
  return terminalLevel(env);
}

/** FORCE_COLOR as a level; undefined when it is not set. */
function forceColorLevel(value: string | undefined): ColorLevel | undefined {
  if (value === undefined) return undefined;
  const normalised = value.trim().toLowerCase();
  if (normalised === 'false' || normalised === '0') return 0;
  if (/^\d+$/.test(normalised)) return Math.min(Number(normalised), 3) as ColorLevel;
  // '' and 'true' are what chalk and supports-color read as "force basic colour"; anything else
  // set is a request for colour too.
  return 1;
}

/** The level the terminal variables suggest, at least 1. */
function terminalLevel(env: Readonly<Record<string, string | undefined>>): ColorLevel {
  const colorterm = env.COLORTERM?.toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  if (env.TERM?.includes('256')) return 2;
  return 1;
}

const instances: (ChalkInstance | undefined)[] = [];

/** A chalk instance fixed at `level` (cached: chalk instances hold no state beyond the level). */
export function chalkFor(level: ColorLevel): ChalkInstance {
  let instance = instances[level];
  if (instance === undefined) {
    instance = new Chalk({ level });
    instances[level] = instance;
  }
  return instance;
}
