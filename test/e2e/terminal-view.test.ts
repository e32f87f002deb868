/**
 * The screen a person sees (tmux) when the two streams meet: a stdout progress line (CR updates)
 * is never overwritten or spliced by a stderr line, in the plain and --prefix views; the spinner
 * during a silence after the first output says what is happening, on a row of its own, and is gone
 * when output resumes. And --color always colours stderr in a pipe too. The remote waits at gates
 * the test opens; the screen is polled until a condition holds. No order between stdout and stderr
 * bytes is assumed beyond what the gates make certain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { Screen, cliCommand } from '../helpers/tty.js';
import { Gates, until } from '../helpers/wait.js';

const local = localServerForFile({ resetFaultsAfterEach: true });
const gates = new Gates();
afterAll(() => gates.remove());

const env = (extra: Record<string, string> = {}) => local.env({ TERM: 'xterm-256color', ...extra });
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** The screen's non-empty rows, right-trimmed. */
async function rows(screen: Screen): Promise<string[]> {
  return (await screen.capture())
    .split('\n')
    .map((row) => row.trimEnd())
    .filter((row) => row !== '');
}

describe('a progress line and the other stream on one terminal', () => {
  it.each([
    { view: 'plain', args: [] as string[], progress: 'progress 16%', warn: 'warn at 7', done: 'progress 100%' },
    { view: '--prefix', args: ['--prefix'], progress: 'stdout | progress 16%', warn: 'stderr | warn at 7', done: 'stdout | progress 100%' },
  ])('$view: the stderr line never lands on the progress line', async ({ args, progress, warn, done }) => {
    const screen = new Screen();
    const first = gates.gate('warn');
    const second = gates.gate('done');
    try {
      const view = await local.server.execute(
        'dbx_local',
        `printf 'progress 16%%\\r'; ${first.wait}; echo 'warn at 7' >&2; ${second.wait}; printf 'progress 100%%\\n'`,
      );
      await screen.start(cliCommand(['dbx_local', view.execution_id, ...args], env()));
      await until(async () => ((await rows(screen)).includes(progress) ? true : undefined), 'the progress line on screen');
      first.open();
      // The warning shows on a row of its own, and the progress line is still (or again) on screen, whole.
      const during = await until(async () => {
        const now = await rows(screen);
        return now.includes(warn) && now.includes(progress) ? now : undefined;
      }, 'the warning and the progress line');
      for (const row of during) expect(row === warn || !row.includes('warn'), row).toBe(true);
      second.open();
      await screen.ended();
      const after = await rows(screen);
      expect(after).toContain(warn);
      expect(after).toContain(done);
      expect(after.at(-1)).toBe('__status=0');
      // Nothing spliced: every row is one writer's text.
      for (const row of after) expect(row, row).toMatch(/^(stdout \| )?progress (16|100)%$|^(stderr \| )?warn at 7$|^__status=0$/);
    } finally {
      first.open();
      second.open();
      await screen.close();
    }
  });
});

describe('the spinner', () => {
  it('during a silence after the first output: says it waits for output, on its own row, gone when output resumes', async () => {
    const screen = new Screen();
    const gate = gates.gate('silence');
    try {
      const view = await local.server.execute('dbx_local', `echo first; ${gate.wait}; echo second`);
      await screen.start(cliCommand(['dbx_local', view.execution_id], env()));
      await until(async () => ((await rows(screen)).includes('first') ? true : undefined), 'the first line');
      const spinning = await until(
        async () => (await rows(screen)).find((row) => row.includes('waiting for output')),
        'the spinner after the silence',
      );
      expect(spinning).toMatch(SPINNER);
      expect(spinning).toMatch(new RegExp(`^${SPINNER.source} connected; waiting for output from ${view.execution_id}$`));
      gate.open();
      await screen.ended();
      const after = await rows(screen);
      expect(after).toEqual(['first', 'second', '__status=0']);
    } finally {
      gate.open();
      await screen.close();
    }
  });
});

describe('--color always in a pipe', () => {
  it('colours stderr lines; without the colour the bytes are exact', async () => {
    const view = await local.server.execute('dbx_local', `printf 'out\\n'; printf 'err one\\nerr two\\n' >&2`);
    const result = await runCli(['dbx_local', view.execution_id, '--color', 'always'], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('out\n');
    expect(result.stderr.toString()).toBe('\x1b[31merr one\x1b[39m\n\x1b[31merr two\x1b[39m\n');
  });

  it('--prefix/--timestamps: the stderr text is coloured as well as the label, stdout text never; --color never and NO_COLOR add nothing', async () => {
    const view = await local.server.execute('dbx_local', `printf 'out\\n'; printf 'err one\\nerr two\\n' >&2`);
    const always = await runCli(['dbx_local', view.execution_id, '--prefix', '--timestamps', '--color', 'always'], { env: env() });
    expect(always.status).toBe(0);
    const TIME = '\x1b\\[2m\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\x1b\\[22m ';
    const RED = (text: string) => `\x1b\\[31m${text}\x1b\\[39m`;
    expect(always.stdout.toString()).toMatch(new RegExp(`^${TIME}\x1b\\[36mstdout \\|\x1b\\[39m out\n$`));
    expect(always.stderr.toString()).toMatch(new RegExp(`^${TIME}${RED('stderr \\|')} ${RED('err one')}\n${TIME}${RED('stderr \\|')} ${RED('err two')}\n$`));
    for (const [args, extra] of [
      [['--color', 'never'], { FORCE_COLOR: '1' }],
      [[], { NO_COLOR: '1' }],
    ] as const) {
      const result = await runCli(['dbx_local', view.execution_id, '--prefix', ...args], { env: env(extra) });
      expect(result.stdout.toString()).toBe('stdout | out\n');
      expect(result.stderr.toString()).toBe('stderr | err one\nstderr | err two\n');
    }
  });
});
