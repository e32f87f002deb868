import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds the `tail` command. */
export function registerTail(program: Command, context: CommandContext): void {
  void program;
  void context;
}
