/**
 * `runloop-tail completion bash|zsh|fish`: prints a completion script for the shell. The commands,
 * options and argument values in it are read from the commander program itself, so the script
 * cannot drift from the command line it completes. `tail` is the default command: its options are
 * completed when the first word is not a command.
 */
import { Argument, type Command, type Option } from 'commander';
import { EXIT_OK } from '../errors.js';
import { shellQuoteAlways as quote } from '../render/shell-quote.js';
import { SETTING_KEYS } from '../settings/keys.js';
import type { CommandContext } from './context.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One option of a command, as completion needs it. */
export interface CompletionOption {
  /** Its names, e.g. `['-v', '--verbose']`. */
  readonly names: readonly string[];
  /** Whether the next word is its value (`--port <n>`). */
  readonly takesValue: boolean;
  /** What its value is called in the help (`n` for `--port <n>`); '' when it takes none. */
  readonly valueName: string;
  readonly description: string;
  /** The values it accepts, when there is a fixed set. */
  readonly choices: readonly string[];
}

/** A command (or a subcommand, path `config set`) as completion needs it. */
export interface CompletionCommand {
  /** Words from the program to it: `exec`, `config get`. */
  readonly path: string;
  readonly description: string;
  readonly options: readonly CompletionOption[];
  /** Names of its subcommands. */
  readonly subcommands: readonly string[];
  /** Values for its first argument, when there is a fixed set. */
  readonly argumentChoices: readonly string[];
}

/** Everything a completion script is generated from. */
export interface CompletionSpec {
  /** The program's name, as typed. */
  readonly program: string;
  /** The command that runs when the first word is not a command (its options are completed there too). */
  readonly defaultCommand: string;
  /** The program's own options (--help, --version). */
  readonly programOptions: readonly CompletionOption[];
  /** The top-level commands, in order, then their subcommands. */
  readonly commands: readonly CompletionCommand[];
}

/** What describeProgram needs to know beyond the program: fixed values of arguments, by argument name. */
export interface DescribeExtras {
  readonly argumentChoices?: Readonly<Record<string, readonly string[]>>;
}

function oneLineDescription(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

function describeOption(option: Option): CompletionOption {
  return {
    names: [option.short, option.long].filter((name): name is string => name !== undefined),
    takesValue: option.required,
    valueName: option.required ? (/<([^>]+)>/.exec(option.flags)?.[1] ?? 'value') : '',
    description: oneLineDescription(option.description),
    choices: option.argChoices ?? [],
  };
}

/** Reads the commands, options and argument values of a commander program. */
export function describeProgram(program: Command, extras: DescribeExtras = {}): CompletionSpec {
  // The program's own Help, so any configureHelp() settings (sorting, hidden items) apply here too.
  const help = program.createHelp();
  const topLevel = help.visibleCommands(program);
  // The implicit `help [command]` is not in program.commands; it takes a command name.
  const implicitHelp = topLevel.find((command) => !program.commands.includes(command));
  const commandNames = topLevel.filter((command) => command !== implicitHelp).map((command) => command.name());
  const commands: CompletionCommand[] = [];
  const visit = (command: Command, prefix: string) => {
    const path = `${prefix}${command.name()}`;
    // Subcommands' own implicit help commands are left out: `runloop-tail help config` covers them.
    const subcommands = help.visibleCommands(command).filter((sub) => command.commands.includes(sub));
    const first = command.registeredArguments[0];
    const argumentChoices =
      command === implicitHelp ? commandNames : (first?.argChoices ?? (first ? extras.argumentChoices?.[first.name()] : undefined) ?? []);
    commands.push({
      path,
      description: oneLineDescription(command.description()),
      options: help.visibleOptions(command).map(describeOption),
      subcommands: subcommands.map((sub) => sub.name()),
      argumentChoices,
    });
    for (const sub of subcommands) visit(sub, `${path} `);
  };
  for (const command of topLevel) visit(command, '');
  // commander keeps the default command (`isDefault`) in a field without a public getter.
  const defaultName = (program as unknown as { _defaultCommandName?: string })._defaultCommandName;
  return {
    program: program.name(),
    defaultCommand: defaultName !== undefined && commandNames.includes(defaultName) ? defaultName : '',
    programOptions: help.visibleOptions(program).map(describeOption),
    commands,
  };
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, spec: CompletionSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}

// ---- shared pieces -------------------------------------------------------------------------------

/** The commands by path, with '' for "no command yet": the program's options and the default command's. */
function byPath(spec: CompletionSpec): Map<string, CompletionCommand> {
  const map = new Map(spec.commands.map((command) => [command.path, command]));
  const fallback = map.get(spec.defaultCommand);
  map.set('', {
    path: '',
    description: '',
    options: [
      ...spec.programOptions,
      ...(fallback?.options ?? []).filter((option) => !option.names.some((name) => names(spec.programOptions).includes(name))),
    ],
    subcommands: spec.commands.filter((command) => !command.path.includes(' ')).map((command) => command.path),
    argumentChoices: [],
  });
  return map;
}

/** Whether an option's value is a file or folder (by its name in the help: `<dir>`, `<file>`, `<path>`). */
function takesPath(option: CompletionOption): boolean {
  return option.takesValue && /\b(dir|directory|file|path|folder)\b/i.test(option.valueName);
}

function names(options: readonly CompletionOption[], filter: (option: CompletionOption) => boolean = () => true): string[] {
  return options.filter(filter).flatMap((option) => option.names);
}


/** A word in single quotes for fish (which escapes \ and ' inside them). */
function fishQuote(word: string): string {
  return `'${word.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The function name prefix for a program name (`runloop-tail` → `_runloop_tail`). */
function prefixFor(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
}

// ---- bash ----------------------------------------------------------------------------------------

function bashCase(name: string, values: Map<string, readonly string[]>): string {
  const branches = [...groupByValue(values)].map(
    ([words, paths]) => `    ${paths.map(quote).join('|')}) printf '%s\\n' ${words.map(quote).join(' ')} ;;`,
  );
  return `${name}() {\n  case "$1" in\n${branches.join('\n')}\n  esac\n}`;
}

/** Groups command paths that share the same list of words (non-empty lists only). */
function groupByValue(values: Map<string, readonly string[]>): Map<readonly string[], string[]> {
  const byKey = new Map<string, { words: readonly string[]; paths: string[] }>();
  for (const [path, words] of values) {
    if (words.length === 0) continue;
    const key = JSON.stringify(words);
    const entry = byKey.get(key) ?? { words, paths: [] };
    entry.paths.push(path);
    byKey.set(key, entry);
  }
  return new Map([...byKey.values()].map(({ words, paths }) => [words, paths]));
}

/** The option choices, keyed `path option` (one key per option name). */
function optionChoices(commands: Map<string, CompletionCommand>): Map<string, readonly string[]> {
  const result = new Map<string, readonly string[]>();
  for (const [path, command] of commands) {
    for (const option of command.options) {
      for (const name of option.names) if (option.choices.length > 0) result.set(`${path} ${name}`, option.choices);
    }
  }
  return result;
}

function tables(spec: CompletionSpec) {
  const commands = byPath(spec);
  const pick = (get: (command: CompletionCommand) => readonly string[]) =>
    new Map([...commands].map(([path, command]) => [path, [...get(command)]]));
  return {
    commands,
    subcommands: pick((command) => command.subcommands),
    options: pick((command) => names(command.options)),
    valued: pick((command) => names(command.options, (option) => option.takesValue)),
    pathValued: pick((command) => names(command.options, takesPath)),
    argumentChoices: pick((command) => command.argumentChoices),
    optionChoices: optionChoices(commands),
  };
}

function bashScript(spec: CompletionSpec): string {
  const p = prefixFor(spec.program);
  const t = tables(spec);
  return `# bash completion for ${spec.program} (generated by: ${spec.program} completion bash)
# Load it in this shell:  source <(${spec.program} completion bash)
# Or for every new shell: ${spec.program} completion bash > ~/.local/share/bash-completion/completions/${spec.program}

# The words that complete each command path ('' = no command yet: the program and the default command).
${bashCase(`${p}_subcommands`, t.subcommands)}
${bashCase(`${p}_options`, t.options)}
# Options followed by a value.
${bashCase(`${p}_valued`, t.valued)}
# Values of the first argument.
${bashCase(`${p}_arguments`, t.argumentChoices)}
# Values of an option: "$1" is the command path, a space and the option.
${bashCase(`${p}_choices`, t.optionChoices)}
# Options whose value is a file or folder.
${bashCase(`${p}_paths`, t.pathValued)}

${p}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" word known
  local -i i args=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    # After --, the words are a remote command's: leave them to bash.
    [[ $word == -- ]] && return 0
    if [[ $word == -* ]]; then
      known=" $(${p}_valued "$cmdpath" | tr '\\n' ' ') "
      if [[ $word != *=* && $known == *" $word "* ]]; then
        if ((i + 1 == COMP_CWORD)); then
          # The word being completed is this option's value: its choices, file names, or nothing.
          COMPREPLY=($(compgen -W "$(${p}_choices "$cmdpath $word")" -- "$cur"))
          known=" $(${p}_paths "$cmdpath" | tr '\n' ' ') "
          [[ $known == *" $word "* ]] || compopt +o default 2>/dev/null
          return 0
        fi
        ((i++))
      fi
      continue
    fi
    known=" $(${p}_subcommands "$cmdpath" | tr '\\n' ' ') "
    if ((args == 0)) && [[ $known == *" $word "* ]]; then
      cmdpath="\${cmdpath:+$cmdpath }$word"
    elif [[ -z $cmdpath ]]; then
      # Not a command: the default command's first argument.
      cmdpath=${quote(spec.defaultCommand)}
      args=1
    else
      args+=1
    fi
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${p}_options "$cmdpath")" -- "$cur"))
  elif ((args == 0)); then
    COMPREPLY=($(compgen -W "$(${p}_subcommands "$cmdpath") $(${p}_arguments "$cmdpath")" -- "$cur"))
  fi
  return 0
}
complete -o default -F ${p} ${spec.program}
`;
}

// ---- zsh -----------------------------------------------------------------------------------------

/** `name:description` for _describe, with colons in the name escaped. */
function described(name: string, description: string): string {
  return `${name.replace(/:/g, '\\:')}:${description}`;
}

function zshCase(name: string, values: Map<string, readonly string[]>): string {
  const branches = [...groupByValue(values)].map(
    ([words, paths]) => `    (${paths.map(quote).join('|')}) reply=(${words.map(quote).join(' ')}) ;;`,
  );
  return `${name}() {\n  reply=()\n  case "$1" in\n${branches.join('\n')}\n  esac\n}`;
}

function zshScript(spec: CompletionSpec): string {
  const p = prefixFor(spec.program);
  const t = tables(spec);
  const describedCommands = new Map(
    [...t.commands].map(([path, command]) => [
      path,
      command.subcommands.map((sub) => described(sub, t.commands.get(path ? `${path} ${sub}` : sub)?.description ?? '')),
    ]),
  );
  const describedOptions = new Map(
    [...t.commands].map(([path, command]) => [
      path,
      command.options.flatMap((option) => option.names.map((name) => described(name, option.description))),
    ]),
  );
  const fn = `_${spec.program}`;
  return `#compdef ${spec.program}
# zsh completion for ${spec.program} (generated by: ${spec.program} completion zsh)
# Load it in this shell:  source <(${spec.program} completion zsh)
# Or for every new shell: ${spec.program} completion zsh > "\${fpath[1]}/_${spec.program}"  (then run compinit)

# The words that complete each command path ('' = no command yet: the program and the default command).
${zshCase(`${p}_subcommands`, t.subcommands)}
${zshCase(`${p}_described_subcommands`, describedCommands)}
${zshCase(`${p}_described_options`, describedOptions)}
# Options followed by a value.
${zshCase(`${p}_valued`, t.valued)}
# Values of the first argument.
${zshCase(`${p}_arguments`, t.argumentChoices)}
# Values of an option: "$1" is the command path, a space and the option.
${zshCase(`${p}_choices`, t.optionChoices)}
# Options whose value is a file or folder.
${zshCase(`${p}_paths`, t.pathValued)}

${fn}() {
  local cmdpath="" word cur="\${words[CURRENT]}"
  local -i i args=0
  local -a reply found
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    # After --, the words are a remote command's.
    if [[ $word == -- ]]; then
      _files
      return
    fi
    if [[ $word == -* ]]; then
      ${p}_valued "$cmdpath"
      if [[ $word != *=* ]] && ((\${reply[(Ie)$word]})); then
        if ((i + 1 == CURRENT)); then
          # The word being completed is this option's value.
          ${p}_choices "$cmdpath $word"
          if (($#reply)); then
            compadd -a reply
          else
            ${p}_paths "$cmdpath"
            if ((\${reply[(Ie)$word]})); then _files; else _message "the value of $word"; fi
          fi
          return
        fi
        ((i++))
      fi
      continue
    fi
    ${p}_subcommands "$cmdpath"
    if ((args == 0)) && ((\${reply[(Ie)$word]})); then
      cmdpath="\${cmdpath:+$cmdpath }$word"
    elif [[ -z $cmdpath ]]; then
      # Not a command: the default command's first argument.
      cmdpath=${quote(spec.defaultCommand)}
      args=1
    else
      ((args++))
    fi
  done
  if [[ $cur == -* ]]; then
    ${p}_described_options "$cmdpath"
    found=("\${reply[@]}")
    _describe -t options option found
  elif ((args == 0)); then
    ${p}_described_subcommands "$cmdpath"
    found=("\${reply[@]}")
    ${p}_arguments "$cmdpath"
    if (($#found)); then _describe -t commands command found; fi
    if (($#reply)); then compadd -a reply; fi
  fi
}

if [[ "\${funcstack[1]}" == ${quote(fn)} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${spec.program}
fi
`;
}

// ---- fish ----------------------------------------------------------------------------------------

function fishSwitch(name: string, values: Map<string, readonly string[]>): string {
  const branches = [...groupByValue(values)].map(
    ([words, paths]) => `        case ${paths.map(fishQuote).join(' ')}\n            printf '%s\\n' ${words.map(fishQuote).join(' ')}`,
  );
  return `function ${name} --argument-names key\n    switch "$key"\n${branches.join('\n')}\n    end\nend`;
}

function fishScript(spec: CompletionSpec): string {
  const p = prefixFor(spec.program).replace(/^_/, '__');
  const t = tables(spec);
  const lines: string[] = [];
  const condition = (paths: readonly string[]) => `${p}_at ${paths.map(fishQuote).join(' ')}`;
  for (const [path, command] of t.commands) {
    // The default command's options are offered before a command word too ('' has them).
    for (const sub of command.subcommands) {
      const description = t.commands.get(path ? `${path} ${sub}` : sub)?.description ?? '';
      lines.push(`complete -c ${spec.program} -n ${fishQuote(`${p}_first ${fishQuote(path)}`)} -a ${fishQuote(sub)} -d ${fishQuote(description)}`);
    }
    if (command.argumentChoices.length > 0) {
      lines.push(`complete -c ${spec.program} -n ${fishQuote(`${p}_first ${fishQuote(path)}`)} -a ${fishQuote(command.argumentChoices.join(' '))}`);
    }
    for (const option of command.options) {
      const flags = option.names.map((name) => (name.startsWith('--') ? `-l ${name.slice(2)}` : name.length === 2 ? `-s ${name.slice(1)}` : `-o ${name.slice(1)}`));
      const value = !option.takesValue
        ? ''
        : option.choices.length > 0
          ? ` -x -a ${fishQuote(option.choices.join(' '))}`
          : takesPath(option)
            ? ' -r -F'
            : ' -x';
      lines.push(`complete -c ${spec.program} -n ${fishQuote(condition([path]))} ${flags.join(' ')}${value} -d ${fishQuote(option.description)}`);
    }
  }
  return `# fish completion for ${spec.program} (generated by: ${spec.program} completion fish)
# Load it in this shell:  ${spec.program} completion fish | source
# Or for every new shell: ${spec.program} completion fish > ~/.config/fish/completions/${spec.program}.fish

# The words that complete each command path ('' = no command yet: the program and the default command).
${fishSwitch(`${p}_subcommands`, t.subcommands)}
# Options followed by a value.
${fishSwitch(`${p}_valued`, t.valued)}

# Prints what the words before the cursor are: "args", the command path and how many arguments it
# has; or "value" and the command path when the word at the cursor is an option's value; or "--"
# after --, where the words are a remote command's.
function ${p}_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l args 0
    set -l skip 0
    for word in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        # (x-prefixed: fish's test reads a bare -- as the end of its options)
        if test "x$word" = x--
            printf '%s\n' --
            return
        end
        if string match -q -- '-*' "$word"
            if not string match -q -- '*=*' "$word"; and contains -- "$word" (${p}_valued "$cmdpath")
                set skip 1
            end
            continue
        end
        if test $args -eq 0; and contains -- "$word" (${p}_subcommands "$cmdpath")
            set cmdpath (string trim -- "$cmdpath $word")
        else if test -z "$cmdpath"
            # Not a command: the default command's first argument.
            set cmdpath ${fishQuote(spec.defaultCommand)}
            set args 1
        else
            set args (math $args + 1)
        end
    end
    if test $skip -eq 1
        printf '%s\n' value "$cmdpath"
    else
        printf '%s\n' args "$cmdpath" $args
    end
end

# True when the command path is one of the arguments (for its options, and their values).
function ${p}_at
    set -l state (${p}_state)
    contains -- "$state[1]" args value; and contains -- "$state[2]" $argv
end

# True after --: the words are a remote command's (files, then).
function ${p}_passthrough
    set -l state (${p}_state)
    test "x$state[1]" = x--
end

# True when the command path is the argument and none of its arguments is typed yet.
function ${p}_first --argument-names cmdpath
    set -l state (${p}_state)
    test "x$state[1]" = xargs; and test "x$state[2]" = "x$cmdpath"; and test "$state[3]" -eq 0
end

complete -c ${spec.program} -f
complete -c ${spec.program} -n ${p}_passthrough -F
${lines.join('\n')}
`;
}

/** Adds the `completion` command. */
export function registerCompletion(program: Command, context: CommandContext): void {
  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Load it in the current shell:
  bash:  source <(runloop-tail completion bash)
  zsh:   source <(runloop-tail completion zsh)
  fish:  runloop-tail completion fish | source`,
    )
    .action((shell: Shell) => {
      context.io.stdout.write(completionScript(shell, describeProgram(program, { argumentChoices: { key: SETTING_KEYS } })));
      context.finish(EXIT_OK);
    });
}
