/**
 * Every option value that can be judged alone is refused by commander as it parses the option (its
 * argParser), not later in the action: `parseOptions` alone, which runs no action, throws the
 * usage error; and the whole command line answers with exactly that one line and exit status 2,
 * the line the action used to print.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { runCli } from '../../src/cli.js';
import { TailError } from '../../src/errors.js';
import { fakeIo } from '../helpers/fake-streams.js';
import { programForTest } from '../helpers/help.js';


function commandNamed(name: string): Command {
  const command = programForTest().commands.find((sub) => sub.name() === name);
  if (command === undefined) throw new Error(`no command ${name}`);
  return command;
}

// [command, its arguments before the option, the option and its value, the line]
const rows: [string, string[], string[], string][] = [
  ['tail', ['dbx_1', 'exn_1'], ['--stdout-offset', '-1'], '--stdout-offset must be a byte offset (0 or more), got "-1"'],
  ['tail', ['dbx_1', 'exn_1'], ['--stderr-offset', 'abc'], '--stderr-offset must be a byte offset (0 or more), got "abc"'],
  ['tail', ['dbx_1', 'exn_1'], ['--stdout-offset', '1.5'], '--stdout-offset must be a byte offset (0 or more), got "1.5"'],
  ['tail', ['dbx_1', 'exn_1'], ['--stdout-offset', '99999999999999999999'], '--stdout-offset is too large: 99999999999999999999'],
  ['tail', ['dbx_1', 'exn_1'], ['-n', 'x'], '--tail must be a whole number, got "x"'],
  ['tail', ['dbx_1', 'exn_1'], ['--tail', '1000001'], '--tail must be at most 1000000, got 1000001'],
  ['tail', ['dbx_1', 'exn_1'], ['--max-retries', 'many'], '--max-retries must be a whole number, got "many"'],
  ['tail', ['dbx_1', 'exn_1'], ['--idle-timeout', 'soon'], '--idle-timeout must be a duration such as 30s, 5m, 1h or 500ms, got "soon"'],
  ['tail', ['dbx_1', 'exn_1'], ['--idle-timeout', '50ms'], '--idle-timeout must be at least 0.1 seconds'],
  ['tail', ['dbx_1', 'exn_1'], ['--timeout', '5x'], '--timeout must be a duration such as 30s, 5m, 1h or 500ms, got "5x"'],
  ['tail', ['dbx_1', 'exn_1'], ['--timeout', '0'], '--timeout must be more than zero and finite, got "0"'],
  ['tail', ['dbx_1', 'exn_1'], ['--color', 'sometimes'], '--color must be one of auto, always, never, got "sometimes"'],
  // exec takes no offsets: any but the default 0 gets the line that sends to tail, even a wrong one.
  ['exec', ['dbx_1'], ['--stdout-offset', '5'], '--stdout-offset and --stderr-offset resume an existing execution: use runloop-tail <devbox-id> <execution-id>'],
  ['exec', ['dbx_1'], ['--stderr-offset', 'abc'], '--stdout-offset and --stderr-offset resume an existing execution: use runloop-tail <devbox-id> <execution-id>'],
  ['exec', ['dbx_1'], ['--stdout-offset', '00'], '--stdout-offset and --stderr-offset resume an existing execution: use runloop-tail <devbox-id> <execution-id>'],
  ['exec', ['dbx_1'], ['--tail', '-3'], '--tail must be a whole number, got "-3"'],
  ['exec', ['dbx_1'], ['--max-retries', '1e3'], '--max-retries must be a whole number, got "1e3"'],
  ['exec', ['dbx_1'], ['--timeout', 'soon'], '--timeout must be a duration such as 30s, 5m, 1h or 500ms, got "soon"'],
  ['status', ['dbx_1', 'exn_1'], ['--max-retries', '-1'], '--max-retries must be a whole number, got "-1"'],
  ['kill', ['dbx_1', 'exn_1'], ['--max-retries', '1000001'], '--max-retries must be at most 1000000, got 1000001'],
  ['serve', [], ['--port', '70000'], '--port: expected an integer from 0 to 65535, got "70000"'],
  ['serve', [], ['--host', ' '], '--host: expected a host name or address'],
  ['serve', [], ['--devbox', 'a b'], '--devbox: expected an id of letters, digits, _ . -, got "a b"'],
  ['serve', [], ['--offset-mode', 'both'], '--offset-mode: expected end or start, got "both"'],
  ['serve', [], ['--seed', '-1'], '--seed: expected an integer from 0 to 4294967295, got "-1"'],
  ['serve', [], ['--chunk-size', '0'], '--chunk-size: expected an integer from 1 to 9007199254740991, got "0"'],
  ['serve', [], ['--chunk-size', '9-2'], '--chunk-size: range 9-2 is empty (MIN-MAX with MIN <= MAX)'],
  ['serve', [], ['--cut-probability', '2'], '--cut-probability: expected a probability from 0 to 1, got "2"'],
  ['serve', [], ['--cut-after-bytes', 'x'], '--cut-after-bytes: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--error-probability', '-0.1'], '--error-probability: expected a probability from 0 to 1, got "-0.1"'],
  ['serve', [], ['--error-statuses', '200'], '--error-statuses: expected an integer from 400 to 599, got "200"'],
  ['serve', [], ['--error-statuses', '429,'], '--error-statuses: expected a list like 408,429,503, got "429,"'],
  ['serve', [], ['--retry-after', '1.5'], '--retry-after: expected an integer from 0 to 9007199254740991, got "1.5"'],
  ['serve', [], ['--stall-probability', 'often'], '--stall-probability: expected a probability from 0 to 1, got "often"'],
  ['serve', [], ['--stall-ms', 'x'], '--stall-ms: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--resend-probability', '1.1'], '--resend-probability: expected a probability from 0 to 1, got "1.1"'],
  ['serve', [], ['--resend-bytes', '-5'], '--resend-bytes: expected an integer from 0 to 9007199254740991, got "-5"'],
  ['serve', [], ['--gap-probability', 'x'], '--gap-probability: expected a probability from 0 to 1, got "x"'],
  ['serve', [], ['--gap-bytes', 'x'], '--gap-bytes: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--idle-timeout-ms', 'x'], '--idle-timeout-ms: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--keep-alive-ms', 'x'], '--keep-alive-ms: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--wait-hold-ms', 'x'], '--wait-hold-ms: expected an integer from 0 to 9007199254740991, got "x"'],
  ['serve', [], ['--kill-grace-ms', 'x'], '--kill-grace-ms: expected an integer from 0 to 9007199254740991, got "x"'],
];

describe.each(rows)('%s %j %j', (name, before, option, line) => {
  it('is refused as the option is parsed, before any action', () => {
    const parse = () => commandNamed(name).parseOptions([...before, ...option]);
    expect(parse).toThrow(TailError);
    expect(parse).toThrow(line);
  });

  it('answers with that one line and exit status 2', async () => {
    const { io, stdout, stderr } = fakeIo();
    const tail = name === 'exec' ? ['--', 'ls'] : [];
    expect(await runCli([name, ...before, ...option, ...tail], io)).toBe(2);
    expect(stderr()).toBe(`runloop-tail: ${line}\n`);
    expect(stdout()).toBe('');
  });
});

describe('what the parsing leaves as it was', () => {
  it('keeps the text as typed: the action judges --stdout-offset 00 as given beside --save, 0 as not', async () => {
    // Nothing is written: the first refuses before --save is used, the second stops at the missing key.
    const given = fakeIo();
    expect(await runCli(['dbx_1', 'exn_1', '--save', 'never-made', '--stdout-offset', '00'], given.io)).toBe(2);
    expect(given.stderr()).toBe('runloop-tail: --save resumes from what its files hold: leave out --stdout-offset and --stderr-offset\n');
    const zero = fakeIo();
    expect(await runCli(['exec', 'dbx_1', '--stdout-offset', '0', '--', 'ls'], zero.io)).toBe(2);
    expect(zero.stderr()).toMatch(/^runloop-tail: no API key/);
  });

  it('a repeated option: the last value counts, each is checked', () => {
    const command = commandNamed('tail');
    command.parseOptions(['--max-retries', '3', '--max-retries', '5']);
    expect(command.opts()).toMatchObject({ maxRetries: '5' });
    expect(() => commandNamed('tail').parseOptions(['--max-retries', 'x', '--max-retries', '5'])).toThrow('--max-retries must be a whole number, got "x"');
  });

  it('defaults are not run through the checks and stay as typed', () => {
    const command = commandNamed('serve');
    command.parseOptions([]);
    expect(command.opts()).toMatchObject({ port: '0', errorStatuses: '408,429,500,503', offsetMode: 'end', idleTimeoutMs: '60000' });
  });
});
