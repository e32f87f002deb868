/**
 * `runloop-tail exec <devbox-id> [options] -- <command…>`: starts a command with execute_async,
 * then follows it exactly like the tail command and exits with its exit status.
 */
import { Command, Option } from 'commander';
import { validateId } from '../api/ids.js';
import { TailError } from '../errors.js';
import { shellQuote } from '../render/shell-quote.js';
import type { CommandContext } from './context.js';
import { addFollowOptions, parseFollowOptions, type RawFollowOptions } from './follow-options.js';

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
  interactive?: boolean;
  /** False with -n/--no-stdin. */
  stdin?: boolean;
  interrupt?: boolean;
  killOnInterrupt?: boolean;
  detach?: boolean;
}

/**
 * exec starts a new execution, so an offset (anything but the default `0`, as typed: `00` counts)
 * belongs to tail; checked as commander parses the option, so it is said before what is wrong with
 * the value.
 */
function refuseOffset(_flag: string, text: string): void {
  if (text !== '0') {
    throw new TailError('usage', '--stdout-offset and --stderr-offset resume an existing execution: use runloop-tail <devbox-id> <execution-id>');
  }
}

export function registerExec(program: Command, context: CommandContext): void {
  const command = new Command('exec')
    .description('start a command on a devbox, then follow it; exits with its exit status')
    .usage('<devbox-id> [options] -- <command...>')
    .argument('<devbox-id>', 'the devbox to run on')
    .argument('[command...]', 'the command; put it after -- so its options stay its own')
    .option('--shell-name <name>', 'the named shell on the devbox to run it in (keeps its directory and environment)')
    .option('-i, --interactive', 'forward stdin from a terminal too, line by line (Ctrl-D sends end-of-file)')
    .option('-n, --no-stdin', 'do not forward stdin (by default a pipe or file on stdin is sent, then end-of-file)')
    .addOption(new Option('--interrupt', 'on Ctrl-C, send Ctrl-C to the remote command and keep following; Ctrl-C again detaches'))
    .addOption(
      new Option('--kill-on-interrupt', 'on Ctrl-C, kill the remote command (its process group), show the rest of its output and exit with its status').conflicts(
        'interrupt',
      ),
    )
    .addOption(
      new Option('-d, --detach', 'start the command, print its execution id (a JSON object with --json) and exit').conflicts([
        'interactive',
        'interrupt',
        'killOnInterrupt',
      ]),
    );
  addFollowOptions(command, { tailShortFlag: false, offsetCheck: refuseOffset }).action(async (devboxId: string, words: string[], flags: ExecFlags) => {
    if (words.length === 0 || words.every((w) => w.trim() === '')) {
      throw new TailError('usage', 'no command given: runloop-tail exec <devbox-id> -- <command...>');
    }
    if (flags.interactive === true && flags.stdin === false) {
      throw new TailError('usage', '-i/--interactive and -n/--no-stdin contradict each other: pick one');
    }
    const options = parseFollowOptions(flags);
    const devbox = validateId('devbox id', devboxId);
    const detach = flags.detach === true;
    // A terminal is forwarded only when asked (-i): otherwise typing would go to the remote command
    // unexpectedly, and it would wait for input it never gets.
    const forwardStdin = !detach && flags.stdin !== false && (flags.interactive === true || context.io.stdin.isTTY !== true);
    // Loaded here, not at the top: --help and --version should not pay for the HTTP client and the follower.
    const { runExec } = await import('./exec-run.js');
    context.finish(
      await runExec(context.io, options, {
        devboxId: devbox,
        command: commandLine(words),
        shellName: flags.shellName,
        forwardStdin,
        onInterrupt: flags.killOnInterrupt === true ? 'kill' : flags.interrupt === true ? 'interrupt' : 'detach',
        detach,
      }),
    );
  });
  program.addCommand(command);
}
