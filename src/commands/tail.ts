import { Command } from 'commander';
import { validateId } from '../api/ids.js';
import type { CommandContext } from './context.js';
import { addFollowOptions, parseFollowOptions, type RawFollowOptions } from './follow-options.js';

/** Adds the default command: follow one execution. */
export function registerTail(program: Command, context: CommandContext): void {
  const command = new Command('tail')
    .description('follow one execution: remote stdout to stdout, stderr to stderr, exit with its status')
    .argument('<devbox-id>', 'the devbox, e.g. dbx_…')
    .argument('<execution-id>', 'the execution, e.g. exn_…');
  addFollowOptions(command).action(async (devboxId: string, executionId: string, raw: RawFollowOptions) => {
    const options = parseFollowOptions(raw);
    const target = { devboxId: validateId('devbox id', devboxId), executionId: validateId('execution id', executionId) };
    // Loaded here, not at the top: --help and --version should not pay for the follower (chalk, the SSE decoder, http).
    const { runFollow, settingsFor } = await import('./follow-run.js');
    const settings = await settingsFor(context.io, options);
    context.finish(await runFollow(context.io, settings, target, options));
  });
  program.addCommand(command, { isDefault: true });
}
