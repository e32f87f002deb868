/**
 * The look at the command line before commander: misspelt commands refused with a suggestion,
 * `help <unknown>`, bare invocation, and swapped ids hinted at but never refused (ids of any shape
 * go on). Pure tables; the wiring is checked through runCli in cli-help.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkArguments, editDistance, positionalWords, suggestCommand, type ArgumentRules } from '../../src/commands/argument-check.js';

const COMMANDS = ['tail', 'exec', 'config', 'serve', 'demo', 'completion', 'status', 'kill', 'help'];
const rules: ArgumentRules = {
  commands: COMMANDS,
  defaultCommand: 'tail',
  valueOptions: new Set(['--color', '--timeout', '--api-key', '--base-url', '--stdout-offset']),
  optionWords: { version: '--version' },
};

describe('editDistance', () => {
  it.each([
    ['exec', 'exec', 0],
    ['exce', 'exec', 1], // one swap
    ['exe', 'exec', 1],
    ['exexc', 'exec', 1],
    ['EXEC', 'exec', 0],
    ['srve', 'serve', 1],
    ['confgi', 'config', 1],
    ['tial', 'tail', 1],
    ['', 'demo', 4],
    ['kitten', 'sitting', 3],
  ])('%s ~ %s = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestCommand', () => {
  it.each([
    ['exce', 'exec'],
    ['exex', 'exec'],
    ['Exec', 'exec'],
    ['tial', 'tail'],
    ['sevre', 'serve'],
    ['serv', 'serve'],
    ['conf', 'config'], // the start of a name
    ['comp', 'completion'],
    ['complete', 'completion'],
    ['hlep', 'help'],
    ['dmeo', 'demo'],
    ['stauts', 'status'],
    ['kil', 'kill'],
    // Not close enough, or not a plain word: nothing.
    ['foo', undefined],
    ['xyz', undefined],
    ['ex', undefined], // two letters: too little to go on
    ['dbx_1', undefined],
    ['exec1', undefined],
    ['ex_ec', undefined],
    ['dbx/exn', undefined],
  ])('%s → %s', (word, expected) => {
    expect(suggestCommand(word, COMMANDS)).toBe(expected);
  });
});

describe('positionalWords', () => {
  it.each([
    [[], []],
    [['dbx_1', 'exn_1'], ['dbx_1', 'exn_1']],
    [['--color', 'never', 'dbx_1', 'exn_1'], ['dbx_1', 'exn_1']],
    [['--color=never', 'dbx_1'], ['dbx_1']],
    [['--prefix', 'dbx_1', '-v', 'exn_1'], ['dbx_1', 'exn_1']],
    [['exec', 'dbx_1', '--', 'make', 'test'], ['exec', 'dbx_1']],
    [['--timeout', '5m', '--json'], []],
  ])('%j → %j', (argv, expected) => {
    expect(positionalWords(argv, rules.valueOptions)).toEqual(expected);
  });
});

describe('checkArguments', () => {
  const refuse = (message: string) => ({ kind: 'refuse', message });
  const hint = (execution: string, devbox: string) => ({
    kind: 'hint',
    message: `hint: '${execution}' looks like an execution id and '${devbox}' like a devbox id; the devbox comes first: runloop-tail ${devbox} ${execution}`,
  });
  it.each([
    // Nothing typed: the help.
    [[], { kind: 'help' }],
    // Misspelt commands: refused before anything is contacted.
    [['exce', 'dbx_1'], refuse("unknown command 'exce' — did you mean 'exec'?")],
    [['--color', 'never', 'exce', 'dbx_1', '--', 'ls'], refuse("unknown command 'exce' — did you mean 'exec'?")],
    [['confg', 'list'], refuse("unknown command 'confg' — did you mean 'config'?")],
    [['version'], refuse("unknown command 'version' — did you mean '--version'?")],
    // help <topic>
    [['help'], { kind: 'ok' }],
    [['help', 'exec'], { kind: 'ok' }],
    [['help', 'nope'], refuse("unknown command 'nope' (see runloop-tail --help)")],
    [['help', 'exce'], refuse("unknown command 'exce' — did you mean 'exec'?")],
    // Commands and ids of any shape go on.
    [['exec', 'dbx_1', '--', 'ls'], { kind: 'ok' }],
    [['config', 'get', 'base-url'], { kind: 'ok' }],
    [['dbx_1', 'exn_1'], { kind: 'ok' }],
    [['dbx_1/exn_1', 'dbx_2/exn_2'], { kind: 'ok' }],
    [['my-devbox', 'my-execution'], { kind: 'ok' }], // plain words, but close to no command
    [['foo', 'bar'], { kind: 'ok' }],
    [['12345', '67890'], { kind: 'ok' }],
    [['--json'], { kind: 'ok' }],
    [['tail', 'dbx_1', 'exn_1'], { kind: 'ok' }],
    // Swapped ids: a hint, never a refusal.
    [['exn_1', 'dbx_2'], hint('exn_1', 'dbx_2')],
    [['--prefix', 'exn_1', 'dbx_2'], hint('exn_1', 'dbx_2')],
    [['tail', 'exn_1', 'dbx_2'], hint('exn_1', 'dbx_2')],
    [['exn_1/dbx_2'], hint('exn_1', 'dbx_2')],
    [['dbx_2', 'exn_1'], { kind: 'ok' }],
    [['exn_1', 'exn_2'], { kind: 'ok' }],
  ] as const)('%j', (argv, verdict) => {
    expect(checkArguments(argv, rules)).toEqual(verdict);
  });
});
