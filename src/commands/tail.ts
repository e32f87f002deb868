import { Command } from 'commander';
import { TailError } from '../errors.js';
import type { CommandContext } from './context.js';
import { addFollowOptions, parseFollowOptions, type RawFollowOptions } from './follow-options.js';
import { parseTargets, TARGET_FORMS } from './targets.js';

interface TailFlags extends RawFollowOptions {
  failFast?: boolean;
}

/** Adds the default command: follow one execution, or several at once. */
export function registerTail(program: Command, context: CommandContext): void {
  const command = new Command('tail')
    .description('follow executions: remote stdout to stdout, stderr to stderr, exit with the status')
    .usage('<devbox-id> <execution-id> [options]\n       runloop-tail tail <devbox-id>/<execution-id>... [options]')
    .argument('<execution...>', `${TARGET_FORMS} (several at once: labelled lines)`)
    .option('--fail-fast', 'with several executions: stop the others once one fails');
  addFollowOptions(command).action(async (words: string[], raw: TailFlags) => {
    const options = parseFollowOptions(raw);
    const targets = parseTargets(words);
    const offsetsGiven = (raw.stdoutOffset ?? '0') !== '0' || (raw.stderrOffset ?? '0') !== '0';
    const withOffsets = targets.some((target) => target.offsets !== undefined);
    if (withOffsets && (offsetsGiven || options.save !== undefined)) {
      throw new TailError('usage', `offsets after '@' cannot be combined with ${options.save === undefined ? '--stdout-offset/--stderr-offset' : '--save'}`);
    }
    if (targets.length > 1 && offsetsGiven) {
      throw new TailError('usage', 'with several executions, give offsets per execution: <devbox-id>/<execution-id>@<stdout-offset>,<stderr-offset>');
    }
    // Loaded here, not at the top: --help and --version should not pay for the follower (chalk, the SSE decoder, http).
    const { runFollow, settingsFor } = await import('./follow-run.js');
    const settings = await settingsFor(context.io, options);
    const [first] = targets;
    if (targets.length === 1 && first) {
      const single = first.offsets === undefined ? options : { ...options, startOffsets: first.offsets };
      context.finish(await runFollow(context.io, settings, first, single));
      return;
    }
    const { runFollowMany } = await import('./follow-many.js');
    context.finish(await runFollowMany(context.io, settings, targets, options, { failFast: raw.failFast === true }));
  });
  program.addCommand(command, { isDefault: true });
}
