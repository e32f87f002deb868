/**
 * Named shells (`shell_name`), as the service keeps them: the working directory and the environment
 * carry over from one command to the next, and one command runs at a time (the next waits as
 * `queued`). Each command still runs in a fresh `/bin/sh -c`; an EXIT trap saves the state with
 * shell builtins only (`pwd`, `export -p`, so a command that empties PATH still saves it), and the
 * next command starts in that directory with that environment.
 *
 * Kept: exported variables and the directory of a command that exits (also with `exit N` or an
 * error). Not kept: unexported variables, functions, aliases, and the state of a command killed by
 * a signal (a shell runs no EXIT trap then) or one that replaces the shell with `exec`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuoteAlways as quote } from '../render/shell-quote.js';
import type { ProcessSpec } from './execution.js';

/** Where one named shell keeps its state between commands. */
export interface ShellState {
  /** The directory the first command starts in. */
  readonly homeDir: string;
  /** Holds `cwd` (pwd's output) and `env` (export -p's output) after a command. */
  readonly stateDir: string;
}


/**
 * The script that runs `command` in the named shell: restore the saved environment (the child starts
 * with an empty one then, so variables the last command unset stay unset), save state on exit.
 */
export function shellScript(command: string, state: ShellState, restoreEnv: boolean): string {
  const cwdFile = join(state.stateDir, 'cwd');
  const envFile = join(state.stateDir, 'env');
  const save = `pwd > ${quote(cwdFile)}; export -p > ${quote(envFile)}`;
  const restore = restoreEnv ? `. ${quote(envFile)}\n` : '';
  // On its own line before the command, so a syntax error in the command still saves the state.
  return `${restore}trap ${quote(save)} EXIT\n${command}`;
}

/** The directory and environment the next command of a named shell starts with. */
export async function nextProcess(
  command: string,
  state: ShellState,
  baseEnv: Readonly<Record<string, string>>,
): Promise<ProcessSpec> {
  const [cwd, env] = await Promise.all([
    readFile(join(state.stateDir, 'cwd'), 'utf8').catch(() => undefined),
    readFile(join(state.stateDir, 'env'), 'utf8').catch(() => undefined),
  ]);
  // pwd ends its output with one newline; a directory name may hold more.
  const workDir = cwd !== undefined && cwd.endsWith('\n') ? cwd.slice(0, -1) : state.homeDir;
  const restoreEnv = env !== undefined;
  return { script: shellScript(command, state, restoreEnv), workDir, env: restoreEnv ? {} : baseEnv };
}
