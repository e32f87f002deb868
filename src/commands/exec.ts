/**
 * `runloop-tail exec <devbox-id> [options] -- <command…>`: starts a command with execute_async,
 * then follows it exactly like the tail command and exits with its exit status.
 */
import { Command } from 'commander';
import { executeAsync, killExecution } from '../api/client.js';
import { TransientFailure } from '../api/errors.js';
import { validateId } from '../api/ids.js';
import { TailError, oneLine } from '../errors.js';
import { shellQuote } from '../render/status-line.js';
import type { CommandContext } from './context.js';
import { addFollowOptions, parseFollowOptions, type RawFollowOptions } from './follow-options.js';
import { runFollow, settingsFor } from './follow-run.js';

/**
 * The shell string to run: a single argument as given (it may already be a pipeline), several
 * arguments quoted so the remote shell sees the same words.
 */
export function commandLine(words: readonly string[]): string {
  if (words.length === 1) return words[0] ?? '';
  return words.map(shellQuote).join(' ');
}

interface ExecFlags extends RawFollowOptions {
  shellName?: string;
  killOnInterrupt?: boolean;
}

export function registerExec(program: Command, context: CommandContext): void {
  const command = new Command('exec')
    .description('start a command on a devbox, then follow it; exits with its exit status')
    .usage('<devbox-id> [options] -- <command...>')
    .argument('<devbox-id>', 'the devbox to run on')
    .argument('[command...]', 'the command; put it after -- so its options stay its own')
    .option('--shell-name <name>', 'the named shell on the devbox to run it in')
    .option('--kill-on-interrupt', 'on Ctrl-C, kill the remote command instead of leaving it running');
  addFollowOptions(command).action(async (devboxId: string, words: string[], flags: ExecFlags) => {
    const { io } = context;
    if (words.length === 0 || words.every((w) => w.trim() === '')) {
      throw new TailError('usage', 'no command given: runloop-tail exec <devbox-id> -- <command...>');
    }
    if (flags.stdoutOffset !== '0' || flags.stderrOffset !== '0') {
      throw new TailError('usage', '--stdout-offset and --stderr-offset resume an existing execution: use runloop-tail <devbox-id> <execution-id>');
    }
    const options = parseFollowOptions(flags);
    const id = validateId('devbox id', devboxId);
    const settings = await settingsFor(io, options);
    const target = { baseUrl: settings.baseUrl, apiKey: settings.apiKey };
    let view;
    try {
      view = await executeAsync(target, id, commandLine(words), flags.shellName, io.signal);
    } catch (error) {
      // Starting a command is not idempotent: never retried, one line either way.
      if (error instanceof TransientFailure) throw new TailError('network', `could not start the command on ${id}: ${error.message}`);
      throw error;
    }
    const followTarget = { devboxId: id, executionId: view.execution_id };
    if (io.stderr.isTTY === true || options.verbose) {
      io.stderr.write(`runloop-tail: started ${view.execution_id} on ${id}; re-attach with: ${shellQuote('runloop-tail')} ${id} ${view.execution_id}\n`);
    }
    const status = await runFollow(io, settings, followTarget, options, {
      onInterrupt: flags.killOnInterrupt
        ? async () => {
            try {
              await killExecution(target, id, view.execution_id);
              return `killed ${view.execution_id}`;
            } catch (error) {
              return `could not kill ${view.execution_id}: ${oneLine(error)}`;
            }
          }
        : undefined,
    });
    context.finish(status);
  });
  program.addCommand(command);
}
