import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds the `demo` command. */
export function registerDemo(program: Command, context: CommandContext): void {
  void program;
  void context;
}
