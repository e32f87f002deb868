/**
 * The help as a person reads it at 80 columns (snapshots, every line within 80 columns, numeric
 * defaults bare, examples last), and what the command line says to a bare invocation, `help
 * <unknown>`, a misspelt command and swapped ids. In-process through runCli with a fake Io: stdout
 * is not a terminal, so the help is laid out for 80 columns.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { fakeIo } from '../helpers/fake-streams.js';
import { commandPaths, sayInProcess } from '../helpers/help.js';

const paths = [[], ...commandPaths()];

describe.each(paths.map((path) => [path.join(' ') || '(program)', path] as const))('help of %s', (_name, path) => {
  it('fits 80 columns, shows defaults as typed and ends with examples', async () => {
    const said = await sayInProcess([...path, '--help']);
    expect(said.status).toBe(0);
    expect(said.stderr).toBe('');
    const text = said.stdout;
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(/default: "\d+"/);
    // The last block is the examples: indented lines to the end, naming the program.
    const at = text.lastIndexOf('\nExamples:\n');
    expect(at).toBeGreaterThan(0);
    const examples = text.slice(at + '\nExamples:\n'.length).trimEnd().split('\n');
    expect(examples.length).toBeGreaterThan(0);
    for (const line of examples) expect(line).toMatch(/^ {2}\S/);
    expect(examples.join('\n')).toContain('runloop-tail');
    expect(text).toMatchSnapshot();
  });
});

describe('the command line', () => {
  it('bare: prints the help on stdout, exit 2', async () => {
    const said = await sayInProcess([]);
    expect(said.status).toBe(2);
    expect(said.stdout).toMatch(/^Usage: runloop-tail <devbox-id> <execution-id> \[options\]/);
    expect(said.stdout).toContain('Examples:');
    expect(said.stderr).toBe('');
  });

  it.each([
    [['help', 'nope'], "runloop-tail: unknown command 'nope' (see runloop-tail --help)\n"],
    [['help', 'exce'], "runloop-tail: unknown command 'exce' — did you mean 'exec'?\n"],
    [['exce', 'dbx_1'], "runloop-tail: unknown command 'exce' — did you mean 'exec'?\n"],
    [['version'], "runloop-tail: unknown command 'version' — did you mean '--version'?\n"],
  ])('%j: exit 2, one line, nothing else done', async (argv, says) => {
    // No API key in the environment: had the words been taken as ids, the message would be about the key.
    const { io, stdout, stderr } = fakeIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(stderr()).toBe(says);
    expect(stdout()).toBe('');
  });

  it('swapped ids: a hint, then on as typed', async () => {
    const { io, stderr } = fakeIo();
    expect(await runCli(['exn_1', 'dbx_2'], io)).toBe(2);
    expect(stderr().split('\n')).toEqual([
      "runloop-tail: hint: 'exn_1' looks like an execution id and 'dbx_2' like a devbox id; the devbox comes first: runloop-tail dbx_2 exn_1",
      expect.stringMatching(/^runloop-tail: no API key/),
      '',
    ]);
  });

  it('help <command> prints that command’s help', async () => {
    const said = await sayInProcess(['help', 'exec']);
    expect(said.status).toBe(0);
    expect(said.stdout).toMatch(/^Usage: runloop-tail exec/);
  });

  it('--no-color and -f/--follow are accepted by the follow commands', async () => {
    for (const argv of [['dbx_1', 'exn_1', '--no-color'], ['dbx_1', 'exn_1', '-f'], ['dbx_1', 'exn_1', '--follow'], ['exec', 'dbx_1', '--no-color', '--', 'ls']]) {
      const { io, stderr } = fakeIo();
      // It goes as far as looking for the key: the options were taken.
      expect(await runCli(argv, io)).toBe(2);
      expect(stderr()).toMatch(/^runloop-tail: no API key/);
    }
  });
});
