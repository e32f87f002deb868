import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds the `config` command. */
export function registerConfig(program: Command, context: CommandContext): void {
  void program;
  void context;
}
