/**
 * The entry point: the only module that reads process.argv / process.env, listens for signals and
 * calls process.exit. Everything below receives an Io and returns an exit status.
 */
import { Command, CommanderError } from 'commander';
import {
  EXIT_FAILURE,
  EXIT_HANGUP,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_PIPE,
  EXIT_TERMINATED,
  EXIT_TIMEOUT,
  EXIT_USAGE,
  TailError,
  exitStatusForSignal,
  interruptedStatus,
  interruption,
  oneLine,
} from './errors.js';
import { visibleControls } from './render/sanitize.js';
import type { Io } from './io.js';
import type { CommandContext } from './commands/context.js';
import { registerTail } from './commands/tail.js';
import { registerExec } from './commands/exec.js';
import { registerStatus } from './commands/status.js';
import { registerKill } from './commands/kill.js';
import { registerConfig } from './commands/config.js';
import { registerServe } from './commands/serve.js';
import { registerDemo } from './commands/demo.js';
import { registerCompletion } from './commands/completion.js';
import { checkArguments, type ArgumentRules } from './commands/argument-check.js';
import { addExamples, helpConfiguration } from './commands/help-format.js';
import { VERSION } from './version.js';
import { helpWidth } from './help-answers.js';
import { prepareHeapForFollow } from './stream/memory.js';


/** Builds the commander program; each command module adds its own command and options. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('runloop-tail')
    .description('Follow a command running in a Runloop devbox: stdout and stderr, live, exact, resumable.')
    .version(VERSION, '-V, --version')
    .usage('<devbox-id> <execution-id> [options]\n       runloop-tail <devbox-id>/<execution-id>... [options]\n       runloop-tail <command> [options]')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
      outputError: (text, write) => write(`runloop-tail: ${visibleControls(text.replace(/^error: /, '').trimEnd())}\n`),
    });
  registerTail(program, context);
  registerExec(program, context);
  registerStatus(program, context);
  registerKill(program, context);
  registerConfig(program, context);
  registerServe(program, context);
  registerDemo(program, context);
  registerCompletion(program, context);
  const width = helpWidth(context.io.stdout);
  const configure = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput()).configureHelp(helpConfiguration(width));
    command.commands.forEach(configure);
  };
  configure(program);
  addExamples(program, width);
  program.addHelpText(
    'after',
    `
'runloop-tail <devbox-id> <execution-id>' runs the default command, tail; its
options: runloop-tail tail --help

Exit status: the remote command's; ${EXIT_USAGE} bad usage or no API key; ${EXIT_TIMEOUT} --timeout;
${EXIT_INTERRUPTED} Ctrl-C; ${EXIT_HANGUP} SIGHUP; ${EXIT_TERMINATED} SIGTERM; ${EXIT_PIPE} stdout closed (| head); ${EXIT_FAILURE} could not
finish (key rejected, not found, retries exhausted).

Examples:
  runloop-tail demo                          try it on an embedded local server
  runloop-tail dbx_123 exn_456               follow an execution
  runloop-tail dbx_123 exn_456 | grep ERROR  remote stdout only, byte for byte
  runloop-tail exec dbx_123 -- make test     start a command and follow it
  runloop-tail config set api-key            store the API key (hidden prompt)`,
  );
  return program;
}

/** What the pre-parse check needs to know about the program: its commands and value-taking options. */
function argumentRules(program: Command): ArgumentRules {
  const tail = program.commands.find((command) => command.name() === 'tail');
  const valueOptions = new Set<string>();
  for (const option of [...program.options, ...(tail?.options ?? [])]) {
    if (!option.required && !option.optional) continue;
    for (const name of [option.short, option.long]) if (name !== undefined) valueOptions.add(name);
  }
  return {
    commands: [...program.commands.map((command) => command.name()), 'help'],
    defaultCommand: 'tail',
    valueOptions,
    optionWords: { version: '--version' },
  };
}

/** What only main() does, for the whole process; a test running the CLI in its own process leaves it out. */
export interface ProcessSetup {
  /** Called before the action of a command that follows an execution. */
  readonly beforeFollow?: () => void;
}

/** The commands whose action follows an execution (demo follows one on its embedded server). */
const FOLLOWING_COMMANDS = new Set(['tail', 'exec', 'demo']);

/** Runs the CLI on the given arguments and returns the exit status; never throws. */
export async function runCli(argv: readonly string[], io: Io, setup: ProcessSetup = {}): Promise<number> {
  let exitStatus = 0;
  const context: CommandContext = { io, finish: (status) => (exitStatus = status) };
  try {
    const program = buildProgram(context);
    program.hook('preAction', (_program, action) => {
      if (FOLLOWING_COMMANDS.has(action.name())) setup.beforeFollow?.();
    });
    const verdict = checkArguments(argv, argumentRules(program));
    switch (verdict.kind) {
      case 'help':
        // As git does: the help, and the status of a command line that says nothing to do.
        program.outputHelp();
        return EXIT_USAGE;
      case 'refuse':
        io.stderr.write(`runloop-tail: ${verdict.message}\n`);
        return EXIT_USAGE;
      case 'hint':
        io.stderr.write(`runloop-tail: ${verdict.message}\n`);
        break;
      case 'ok':
        break;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitStatus;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof TailError) {
      io.stderr.write(`runloop-tail: ${visibleControls(oneLine(error))}\n`);
      return error.exitStatus;
    }
    if (io.signal.aborted) return interruptedStatus(io.signal.reason);
    io.stderr.write(`runloop-tail: internal error: ${visibleControls(oneLine(error))}\n`);
    return EXIT_FAILURE;
  }
}

/**
 * After SIGINT, SIGTERM or SIGHUP the run has this long to close its connections, print the resume
 * command and leave by itself (a kill on interrupt is one request); then the process leaves anyway.
 */
const SIGNAL_GRACE_MS = 5000;

/** Called by src/entry.ts for every command line it has no pre-rendered answer for. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let interruptHandler: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGINT' && interruptHandler !== undefined && !controller.signal.aborted) {
      const handler = interruptHandler; // a command took this Ctrl-C (exec --interrupt, --kill-on-interrupt)
      interruptHandler = undefined;
      handler();
      return;
    }
    // A second signal, or a run that does not wind down in time (a request stuck in a kill on
    // interrupt, a read that will not yield): leave now with the status of the signal.
    if (controller.signal.aborted) process.exit(interruptedStatus(controller.signal.reason));
    setTimeout(() => process.exit(exitStatusForSignal(signal)), SIGNAL_GRACE_MS).unref();
    controller.abort(interruption(signal));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // The standard streams are created on first use: building one costs start-up time (stdin on a
  // pipe or file loads the stream classes), and --help / --version need stdout only.
  const opened = new Set<NodeJS.WriteStream>();
  const output = (stream: () => NodeJS.WriteStream) => () => {
    const out = stream();
    if (!opened.has(out)) {
      opened.add(out);
      // A reader that goes away (`| head`) is not an error of ours: stop quietly, with the status
      // a shell reports for a tool killed by SIGPIPE (Node ignores the signal, so say it ourselves).
      out.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(EXIT_PIPE);
        throw error;
      });
    }
    return out;
  };
  const stdout = output(() => process.stdout);
  const stderr = output(() => process.stderr);
  const io: Io = {
    get stdout() {
      return stdout();
    },
    get stderr() {
      return stderr();
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    signal: controller.signal,
    onInterrupt: (handler) => {
      interruptHandler = handler;
      return () => {
        if (interruptHandler === handler) interruptHandler = undefined;
      };
    },
  };
  // The V8 settings that keep a long follow's memory flat and its collections cheap are
  // process-wide, so they are set here, at the edge, and only for a command that follows
  // (src/stream/memory.ts has the measurements).
  const status = await runCli(process.argv.slice(2), io, { beforeFollow: () => void prepareHeapForFollow() });
  // Let buffered output reach its reader before leaving.
  await Promise.all([...opened].map(flush));
  process.exit(status);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}
