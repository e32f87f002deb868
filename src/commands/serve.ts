import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/** Adds the `serve` command. */
export function registerServe(program: Command, context: CommandContext): void {
  void program;
  void context;
}
