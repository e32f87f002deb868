/**
 * Completion scripts: generated from the real commander program, so every command and option is in
 * each shell's script; each script parses; and a table of command lines completes as expected in
 * each shell. A shell that is not installed is skipped, except on CI (CI=true), where it fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option, type Command as CommandType } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, runCli } from '../../src/cli.js';
import { SHELLS, completionScript, describeProgram, type Shell } from '../../src/commands/completion.js';
import { fakeIo } from '../helpers/fake-streams.js';
import { programForTest } from '../helpers/help.js';
import { tempDirForFile } from '../helpers/temp-dir.js';
import { SETTING_KEYS } from '../../src/settings/keys.js';



const program = programForTest();
const spec = describeProgram(program, { argumentChoices: { key: SETTING_KEYS } });

/** Every command and option name, found by walking commander's own structures (not the generator's). */
function everything(command: CommandType): { commands: string[]; options: string[] } {
  const commands: string[] = [];
  const options: string[] = [];
  for (const option of command.options) options.push(...[option.short, option.long].filter((name): name is string => name !== undefined));
  for (const sub of command.commands) {
    commands.push(sub.name());
    const inner = everything(sub);
    commands.push(...inner.commands);
    options.push(...inner.options);
  }
  return { commands, options };
}

function installed(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

const temp = tempDirForFile('rt-completion-');

/** Writes `script` to a file in the temp folder and returns its path. */
function scriptFile(name: string, script: string): string {
  const file = path.join(temp, name);
  writeFileSync(file, script);
  return file;
}

/** Runs `code` in `shell` after sourcing `file`; returns stdout. */
function inShell(shell: Shell, file: string, code: string): string {
  return execFileSync(shell, ['-c', `source '${file}'\n${code}`], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('describeProgram', () => {
  it('finds every command, the default command, and the config keys', () => {
    expect(spec.program).toBe('runloop-tail');
    expect(spec.defaultCommand).toBe('tail');
    const paths = spec.commands.map((command) => command.path);
    for (const path of ['tail', 'exec', 'status', 'kill', 'config', 'config set', 'config get', 'config unset', 'config list', 'config path', 'serve', 'demo', 'completion', 'help']) {
      expect(paths).toContain(path);
    }
    for (const path of ['config set', 'config get', 'config unset']) {
      expect(spec.commands.find((command) => command.path === path)?.argumentChoices).toEqual(SETTING_KEYS);
    }
    expect(spec.commands.find((command) => command.path === 'completion')?.argumentChoices).toEqual([...SHELLS]);
    expect(spec.programOptions.flatMap((option) => option.names)).toEqual(expect.arrayContaining(['-V', '--version', '-h', '--help']));
  });

  it('knows the values of enumerated options', () => {
    const choicesOf = (path: string, name: string) =>
      spec.commands.find((command) => command.path === path)?.options.find((option) => option.names.includes(name))?.choices;
    for (const path of ['tail', 'exec', 'demo']) expect(choicesOf(path, '--color')).toEqual(['auto', 'always', 'never']);
    expect(choicesOf('serve', '--offset-mode')).toEqual(['end', 'start']);
  });

  it('knows which options take a value and what it is called', () => {
    const serve = spec.commands.find((command) => command.path === 'serve');
    expect(serve?.options.find((option) => option.names.includes('--port'))).toMatchObject({ takesValue: true, valueName: 'n' });
    expect(serve?.options.find((option) => option.names.includes('--quiet'))).toMatchObject({ takesValue: false, valueName: '' });
  });

  it('knows --save takes a directory and --tail a number of lines', () => {
    const tail = spec.commands.find((command) => command.path === 'tail');
    expect(tail?.options.find((option) => option.names.includes('--save'))).toMatchObject({ takesValue: true, valueName: 'dir' });
    expect(tail?.options.find((option) => option.names.includes('--tail'))).toMatchObject({ names: ['-n', '--tail'], takesValue: true, valueName: 'lines' });
  });

  it('reads choices of options and arguments', () => {
    const toy = new Command('toy');
    toy.command('run', { isDefault: true }).addOption(new Option('--mode <mode>', 'how').choices(['fast', 'slow'])).option('--out-dir <dir>', 'where');
    const toySpec = describeProgram(toy);
    expect(toySpec.defaultCommand).toBe('run');
    const mode = toySpec.commands[0]?.options.find((option) => option.names.includes('--mode'));
    expect(mode?.choices).toEqual(['fast', 'slow']);
    for (const shell of SHELLS) expect(completionScript(shell, toySpec)).toContain('slow');
  });
});

describe.each(SHELLS)('the %s script', (shell) => {
  const script = completionScript(shell, spec);
  const available = installed(shell);
  // Off CI a missing shell skips its checks; on CI (.ci/run installs every shell) it fails them.
  const skip = !available && process.env.CI !== 'true';
  const file = scriptFile(`runloop-tail.${shell}`, script);
  // Sourced outside compinit, the zsh script calls compdef: a stand-in.
  const zshFile = shell === 'zsh' ? scriptFile('with-compdef.zsh', `compdef() { :; }\nsource '${file}'\n`) : file;

  it('names every command, option, config key and shell', () => {
    const { commands, options } = everything(program);
    expect(commands.length).toBeGreaterThan(8);
    expect(options.length).toBeGreaterThan(40);
    const words = new Set(script.split(/[\s'"()|:]+/));
    for (const name of [...commands, ...options, ...SETTING_KEYS, ...SHELLS, '--version', '--help']) {
      // fish writes options as -l long / -s short.
      const written = shell === 'fish' && name.startsWith('-') ? name.replace(/^--?/, '') : name;
      expect(words.has(written), `${name} in the ${shell} script`).toBe(true);
    }
  });

  it.runIf(process.env.CI === 'true')('is installed on CI', () => {
    expect(available, `${shell} is not installed; .ci/run installs it`).toBe(true);
  });

  it.skipIf(skip)('parses', () => {
    const result = spawnSync(shell, ['-n', file], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  // [command line before the cursor, the word at the cursor, completions expected (in any order)]
  const cases: [string, string, string[]][] = [
    ['', '', ['tail', 'exec', 'status', 'kill', 'config', 'serve', 'demo', 'completion', 'help']],
    ['', 'co', ['config', 'completion']],
    ['', '--js', ['--json']],
    ['', '--vers', ['--version']],
    ['dbx_1 exn_1', '--time', ['--timeout', '--timestamps']],
    ['--color always dbx_1', '--std', ['--stdout-offset', '--stderr-offset', '--stdout-only', '--stderr-only']],
    ['exec dbx_1', '--kill', ['--kill-on-interrupt']],
    ['exec dbx_1 -- ls', '--kill', []],
    ['config', '', ['set', 'get', 'unset', 'list', 'path']],
    ['config set', '', ['api-key', 'base-url']],
    ['config get', '--show', ['--show-secret']],
    ['serve --port 0', '--qu', ['--quiet']],
    ['completion', '', ['bash', 'zsh', 'fish']],
    ['help', 'ex', ['exec']],
    // Enumerated option values, for the default command, exec, demo and serve.
    ['dbx_1 exn_1 --color', '', ['auto', 'always', 'never']],
    ['--color', 'a', ['auto', 'always']],
    ['exec dbx_1 --color', 'n', ['never']],
    ['demo --color', '', ['auto', 'always', 'never']],
    ['serve --offset-mode', '', ['end', 'start']],
    ['dbx_1 exn_1', '--no-', ['--no-color']],
    ['dbx_1 exn_1', '--fol', ['--follow']],
    // --tail, --save and several executions at once.
    ['dbx_1 exn_1', '--ta', ['--tail']],
    ['dbx_1/exn_1 dbx_1/exn_2', '--fa', ['--fail-fast']],
    ['dbx_1/exn_1', '--sa', ['--save']],
  ];

  it.skipIf(skip).each(cases)('completes "%s" + "%s"', (before, word, expected) => {
    const words = ['runloop-tail', ...before.split(' ').filter((w) => w !== ''), word];
    const array = words.map((w) => `'${w}'`).join(' ');
    let code: string;
    if (shell === 'bash') {
      code = `COMP_WORDS=(${array}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _runloop_tail; printf '%s\\n' "\${COMPREPLY[@]}"`;
    } else if (shell === 'zsh') {
      // Outside a completion widget: stand-ins for the completion builtins print what they get.
      code = `_describe() { local name=\${@[-1]}; printf '%s\\n' \${\${(P)name}%%:*}; }
compadd() { local name=\${@[-1]}; printf '%s\\n' \${(P)name}; }
_files() { :; }
_message() { :; }
words=(${array}); CURRENT=\${#words}; _runloop-tail`;
    } else {
      code = `complete -C'${words.join(' ')}' | cut -f1`;
    }
    const got = inShell(shell, zshFile, code)
      .split('\n')
      // The zsh stand-ins print every candidate; zsh itself keeps those that match the word.
      .filter((entry) => entry !== '' && entry.startsWith(word));
    expect(got.sort()).toEqual([...expected].sort());
  });
});

describe('runloop-tail completion', () => {
  it('prints the script for the shell asked for', async () => {
    const { io, stdout, stderr } = fakeIo();
    expect(await runCli(['completion', 'bash'], io)).toBe(0);
    expect(stdout()).toBe(completionScript('bash', describeProgram(buildProgram({ io, finish: () => {} }), { argumentChoices: { key: SETTING_KEYS } })));
    expect(stderr()).toBe('');
  });

  it('refuses a shell it does not know, with exit status 2', async () => {
    const { io, stdout, stderr } = fakeIo();
    expect(await runCli(['completion', 'tcsh'], io)).toBe(2);
    expect(stdout()).toBe('');
    expect(stderr()).toMatch(/bash, zsh, fish/);
  });
});
