/**
 * The help as the CLI renders it, in-process: the program as the CLI builds it, every command path
 * in it, and what a run prints with a fake Io (stdout not a terminal, so the help is laid out for
 * 80 columns, unless a terminal width is given).
 */
import type { Command } from 'commander';
import { buildProgram, runCli } from '../../src/cli.js';
import type { Io } from '../../src/io.js';
import { fakeIo } from './fake-streams.js';

/** A CLI's in-process entry: the sources' runCli, or the built one (dist/cli.cjs). */
export type RunInProcess = (argv: readonly string[], io: Io) => Promise<number>;

/** What one in-process run printed and its exit status. */
export interface Said {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** The program the CLI builds, with a fake Io; only to look at (its commands, options, help). */
export function programForTest(): Command {
  return buildProgram({ io: fakeIo().io, finish: () => {} });
}

/** Every command path of the program: `tail`, `config set`… (the implicit `help` aside). */
export function commandPaths(command: Command = programForTest(), prefix: readonly string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

/**
 * Runs `argv` in-process (the sources' runCli unless `run` is given) and returns what it printed.
 * With `columns`, stdout is a terminal that wide.
 */
export async function sayInProcess(argv: readonly string[], options: { run?: RunInProcess; columns?: number } = {}): Promise<Said> {
  const { io, stdout, stderr } = fakeIo();
  if (options.columns !== undefined) Object.assign(io.stdout, { isTTY: true, columns: options.columns });
  const status = await (options.run ?? runCli)(argv, io);
  return { stdout: stdout(), stderr: stderr(), status };
}
