import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds the `exec` command. */
export function registerExec(program: Command, context: CommandContext): void {
  void program;
  void context;
}
