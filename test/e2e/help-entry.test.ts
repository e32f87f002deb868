/**
 * The built entry (bin/runloop-tail.js → dist/entry.cjs) as a child process: the command lines it
 * answers from dist/help-answers.json print exactly those answers with their exit status, on a
 * pipe and on a terminal of 80 columns or more; on a narrower terminal the CLI answers, with the help laid
 * out for that width.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { answerKey, type HelpAnswers } from '../../src/help-answers.js';
import { sayInProcess } from '../helpers/help.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { cliCommand, runOnPty } from '../helpers/tty.js';

const table = JSON.parse(readFileSync(fileURLToPath(new URL('../../dist/help-answers.json', import.meta.url)), 'utf8')) as HelpAnswers;

/** What the CLI (from the sources, in-process) prints for `argv` on a terminal `columns` wide. */
async function helpInProcess(argv: readonly string[], columns: number): Promise<string> {
  const said = await sayInProcess(argv, { columns });
  expect(said.status).toBe(0);
  return said.stdout;
}

function answerFor(argv: readonly string[]): { stdout: string; status: number } {
  const entry = table.answers[answerKey(argv)];
  if (entry === undefined) throw new Error(`no pre-rendered answer for ${answerKey(argv)}`);
  return { stdout: table.texts[entry[0]] ?? '', status: entry[1] };
}

describe('the entry answers from the pre-rendered table', () => {
  const lines = [[], ['--help'], ['-V'], ['tail', '-h'], ['help', 'config', 'set']];
  it.concurrent.for(lines.map((argv) => [argv.join(' ') || '(no arguments)', argv] as const))('%s on a pipe', async ([, argv], { expect }) => {
    const result = await runCli(argv);
    expect({ stdout: result.stdout.toString(), stderr: result.stderr.toString(), status: result.status }).toEqual({ ...answerFor(argv), stderr: '' });
  });

  it('on a terminal of 100 columns: the 80-column help', async () => {
    const result = await runOnPty(cliCommand(['--help'], baseEnv()), { cols: 100, rows: 30 });
    expect(result.status).toBe(0);
    expect(result.output.toString().replace(/\r\n/g, '\n')).toBe(answerFor(['--help']).stdout);
  });

  it('on a terminal of 60 columns: the help the CLI lays out for 60', async () => {
    const result = await runOnPty(cliCommand(['exec', '--help'], baseEnv()), { cols: 60, rows: 30 });
    expect(result.status).toBe(0);
    const text = result.output.toString().replace(/\r\n/g, '\n');
    expect(text).not.toBe(answerFor(['exec', '--help']).stdout);
    expect(text).toBe(await helpInProcess(['exec', '--help'], 60));
  });
});
