/**
 * The pre-rendered answers (dist/help-answers.json, written by `npm run build`) are what the CLI
 * prints: every entry against the built CLI run in-process, the help texts against the sources too
 * (a stale dist/ fails here), every command's --help present; and the pure parts of the quick path:
 * which width the table is good for, which command lines it may answer, how it writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { answerKey, findAnswer, helpWidth, mayHaveAnswer, writeAllSync, type HelpAnswers } from '../../src/help-answers.js';
import { commandPaths, sayInProcess, type RunInProcess } from '../helpers/help.js';

const answersFile = fileURLToPath(new URL('../../dist/help-answers.json', import.meta.url));
const builtCli = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));

describe('dist/help-answers.json', () => {
  if (!existsSync(answersFile)) throw new Error(`${answersFile} is missing: run npm run build`);
  const table = JSON.parse(readFileSync(answersFile, 'utf8')) as HelpAnswers;
  const entries = Object.entries(table.answers).map(([key, [text, status]]) => ({
    argv: JSON.parse(key) as string[],
    stdout: table.texts[text],
    status,
  }));

  it('is laid out for the width a stdout that is not a terminal gets', () => {
    expect(table.width).toBe(helpWidth({ isTTY: false }));
  });

  it('answers the bare command, --help, -h, --version, -V and every command’s --help, -h and help <command>', () => {
    const paths = commandPaths();
    expect(paths.length).toBeGreaterThan(5);
    const wanted = [[], ['--help'], ['-h'], ['--version'], ['-V'], ...paths.flatMap((path) => [[...path, '--help'], [...path, '-h'], ['help', ...path]])];
    for (const argv of wanted) expect(Object.keys(table.answers), answerKey(argv)).toContain(answerKey(argv));
  });

  it('every answer is what the built CLI prints, and the quick path would take it', async () => {
    const cli = createRequire(import.meta.url)(builtCli) as { runCli: RunInProcess };
    for (const entry of entries) {
      expect(await sayInProcess(entry.argv, { run: cli.runCli }), answerKey(entry.argv)).toEqual({ stdout: entry.stdout, stderr: '', status: entry.status });
      expect(mayHaveAnswer(entry.argv), answerKey(entry.argv)).toBe(true);
    }
  });

  it('every help text is what the sources print (so a stale dist/ shows)', async () => {
    // --version aside: the sources say 0.0.0-dev, the build the package's version.
    for (const entry of entries.filter(({ argv }) => !argv.includes('--version') && !argv.includes('-V'))) {
      expect(await sayInProcess(entry.argv), answerKey(entry.argv)).toEqual({ stdout: entry.stdout, stderr: '', status: entry.status });
    }
  });
});

describe('findAnswer', () => {
  const table: HelpAnswers = {
    width: 80,
    texts: ['help\n', 'a b\n'],
    answers: { [answerKey(['--help'])]: [0, 0], [answerKey([])]: [0, 2], [answerKey(['a b'])]: [1, 0] },
  };

  it.each([
    ['a pipe or file', ['--help'], { isTTY: false }, { stdout: 'help\n', status: 0 }],
    ['no stdout info', ['--help'], {}, { stdout: 'help\n', status: 0 }],
    ['a terminal of 80 columns', ['--help'], { isTTY: true, columns: 80 }, { stdout: 'help\n', status: 0 }],
    ['a wider terminal (help stops at 80)', ['--help'], { isTTY: true, columns: 200 }, { stdout: 'help\n', status: 0 }],
    ['a terminal of unknown width', ['--help'], { isTTY: true }, { stdout: 'help\n', status: 0 }],
    ['a narrower terminal: the CLI lays it out', ['--help'], { isTTY: true, columns: 79 }, undefined],
    ['a very narrow terminal', ['--help'], { isTTY: true, columns: 20 }, undefined],
    ['no arguments, its own status', [], { isTTY: false }, { stdout: 'help\n', status: 2 }],
    ['arguments not in the table', ['--help', 'x'], { isTTY: false }, undefined],
    ['an argument with a space is one argument', ['a', 'b'], { isTTY: false }, undefined],
    ['… and found as one', ['a b'], { isTTY: false }, { stdout: 'a b\n', status: 0 }],
    ['a key of Object.prototype', ['constructor'], { isTTY: false }, undefined],
  ])('%s', (_name, argv, stdout, expected) => {
    expect(findAnswer(table, argv, stdout)).toEqual(expected);
  });

  it('helpWidth is the terminal’s width up to 80, else 80', () => {
    expect([helpWidth({}), helpWidth({ isTTY: false, columns: 40 }), helpWidth({ isTTY: true, columns: 40 }), helpWidth({ isTTY: true, columns: 132 })]).toEqual([
      80, 80, 40, 80,
    ]);
  });
});

describe('mayHaveAnswer', () => {
  it.each([
    [[], true],
    [['--help'], true],
    [['exec', '-h'], true],
    [['help', 'config', 'set'], true],
    [['dbx_1', 'exn_1'], false],
    [['exec', 'dbx_1', '--', 'make', '--help'], false],
    [['serve', '--port', '0'], false],
  ])('%j: %s', (argv, expected) => {
    expect(mayHaveAnswer(argv)).toBe(expected);
  });
});

describe('writeAllSync', () => {
  const bytes = Buffer.from('0123456789');
  const errno = (code: string) => Object.assign(new Error(code), { code });

  it('loops over partial writes until everything is written', () => {
    const taken: string[] = [];
    const outcome = writeAllSync(bytes, (chunk, offset, length) => {
      const n = Math.min(3, length);
      taken.push(Buffer.from(chunk.subarray(offset, offset + n)).toString());
      return n;
    });
    expect(outcome).toEqual({ kind: 'written' });
    expect(taken).toEqual(['012', '345', '678', '9']);
  });

  it('EPIPE: the reader went away', () => {
    expect(writeAllSync(bytes, () => { throw errno('EPIPE'); })).toEqual({ kind: 'closed' });
  });

  it('EAGAIN: says where the rest begins', () => {
    let calls = 0;
    const outcome = writeAllSync(bytes, (_chunk, _offset, length) => {
      calls += 1;
      if (calls === 1) return Math.min(4, length);
      throw errno('EAGAIN');
    });
    expect(outcome).toEqual({ kind: 'would-block', from: 4 });
  });

  it('any other error is thrown', () => {
    expect(() => writeAllSync(bytes, () => { throw errno('EBADF'); })).toThrow('EBADF');
  });
});
