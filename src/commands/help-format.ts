/**
 * How the help reads: commands listed by name only (so their descriptions wrap inside 80 columns
 * instead of running off the line), defaults shown as they are typed (`10`, not `"10"`), choices
 * not repeated when the description already lists them, and every command's help ending with
 * examples.
 */
import type { Argument, Command, HelpConfiguration, Option } from 'commander';

/** Examples by command path (`tail`, `config set`): each is [command line, what it does]. */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  tail: [
    ['runloop-tail dbx_123 exn_456', 'follow an execution to its end'],
    ['runloop-tail dbx_123 exn_456 --prefix', "label lines 'stdout | ' / 'stderr | '"],
    ['runloop-tail dbx_123 exn_456 --json | jq .', 'one JSON record per line'],
    ['runloop-tail dbx_123 exn_456 --stdout-offset 5120', 'resume stdout at byte 5120'],
    ['runloop-tail dbx_123 exn_456 -n 20', 'the last 20 lines, then live'],
    ['runloop-tail dbx_1/exn_1 dbx_1/exn_2', 'several at once, lines labelled'],
    ['runloop-tail dbx_123 exn_456 --save logs', 'also keep the streams as files'],
  ],
  exec: [
    ['runloop-tail exec dbx_123 -- make test', 'run a command, exit with its status'],
    ["runloop-tail exec dbx_123 -- 'cd app && npm ci'", 'a pipeline as one argument'],
    ['runloop-tail exec dbx_123 --kill-on-interrupt -- ./long.sh', 'Ctrl-C kills it'],
    ["printf 'a\\nb\\n' | runloop-tail exec dbx_123 -- wc -l", 'stdin goes to the command'],
    ['runloop-tail exec -i dbx_123 -- python3 -i', 'type to it, Ctrl-D ends'],
    ['runloop-tail exec -d dbx_123 -- ./long.sh', 'start it, print its id'],
  ],
  status: [
    ['runloop-tail status dbx_123 exn_456', 'running, or completed and its status'],
    ['runloop-tail status --json dbx_123 exn_456 | jq .', "the service's view"],
  ],
  kill: [
    ['runloop-tail kill dbx_123 exn_456', 'stop it (SIGTERM)'],
    ['runloop-tail kill --process-group dbx_123 exn_456', 'and everything it started'],
  ],
  config: [
    ['runloop-tail config set api-key', 'store the key (hidden prompt)'],
    ['runloop-tail config list', 'show the stored settings'],
  ],
  'config set': [
    ['runloop-tail config set api-key', 'type the key at a hidden prompt'],
    ['printenv RUNLOOP_API_KEY | runloop-tail config set api-key', 'or pipe it in'],
    ['runloop-tail config set base-url https://api.runloop.ai', 'the API to talk to'],
  ],
  'config get': [
    ['runloop-tail config get base-url', 'print the stored base URL'],
    ['runloop-tail config get api-key', 'the key, masked (****abcd)'],
  ],
  'config unset': [['runloop-tail config unset api-key', 'forget the stored key']],
  'config list': [['runloop-tail config list --show-secret', 'every setting, key unmasked']],
  'config path': [['cat "$(runloop-tail config path)"', 'look at the file']],
  serve: [
    ['runloop-tail serve', 'a local API; prints the exports to use it'],
    ['runloop-tail serve --port 8080 --api-key test', 'a fixed port and key'],
    ['runloop-tail serve --cut-probability 0.05 --seed 7', 'cut connections, replayably'],
    ['runloop-tail serve --tls', 'HTTPS; prints the CA to trust'],
  ],
  demo: [
    ['runloop-tail demo', 'follow a short command, no account needed'],
    ['runloop-tail demo --prefix', 'the same, lines labelled'],
  ],
  completion: [
    ["echo 'source <(runloop-tail completion bash)' >> ~/.bashrc", 'bash, from the next shell on'],
    ['runloop-tail completion zsh > "${fpath[1]}/_runloop-tail"', 'zsh, installed'],
    ['runloop-tail completion fish > ~/.config/fish/completions/runloop-tail.fish', 'fish, installed'],
  ],
};

/**
 * The examples block for a help page: the explanations in a column beside the command lines when
 * every row fits in `width`, else each explanation as a `#` comment above its command line (a
 * command line is never wrapped: it is meant to be copied).
 */
export function renderExamples(examples: readonly (readonly [string, string])[], width = 80): string {
  const column = Math.max(...examples.map(([line]) => line.length)) + 2;
  const beside = examples.every(([, what]) => 2 + column + what.length <= width);
  const rows = examples.flatMap(([line, what]) => {
    if (what === '') return [`  ${line}`];
    return beside ? [`  ${line.padEnd(column)}${what}`] : [`  # ${what}`, `  ${line}`];
  });
  return `\nExamples:\n${rows.join('\n')}`;
}

/** A command's path from the program: `tail`, `config set`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** Adds the examples of {@link EXAMPLES} to the end of each command's help, subcommands included. */
export function addExamples(program: Command, width = 80): void {
  const visit = (command: Command) => {
    const examples = EXAMPLES[commandPath(command)];
    if (examples !== undefined) command.addHelpText('after', renderExamples(examples, width));
    for (const sub of command.commands) visit(sub);
  };
  for (const command of program.commands) visit(command);
}

/** A default as it is typed on the command line: a number or word bare, anything else quoted. */
export function formatDefault(value: unknown): string {
  if (typeof value === 'string' && /^[\w.,:/-]+$/.test(value)) return value;
  return JSON.stringify(value);
}

function argumentTerm(argument: Argument): string {
  const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
  return argument.required ? `<${name}>` : `[${name}]`;
}

/** The settings for commander's Help (see `configureHelp`). */
export function helpConfiguration(width: number): HelpConfiguration {
  return {
    helpWidth: width,
    // Commands by name and arguments only: `[options]` says nothing, and a long term leaves too
    // little room for the description, which commander then stops wrapping.
    subcommandTerm: (command) =>
      [command.name(), ...command.registeredArguments.map(argumentTerm)].join(' '),
    optionDescription: (option: Option) => {
      const extras: string[] = [];
      const listed = option.argChoices?.every((choice) => option.description.includes(choice)) ?? true;
      if (!listed) extras.push(`one of: ${option.argChoices?.join(', ') ?? ''}`);
      const shown = option.required || option.optional;
      if (shown && option.defaultValue !== undefined) extras.push(`default: ${option.defaultValueDescription ?? formatDefault(option.defaultValue)}`);
      return extras.length === 0 ? option.description : `${option.description} (${extras.join(', ')})`;
    },
  };
}
