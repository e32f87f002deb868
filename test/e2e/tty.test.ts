/**
 * What a person sees on a terminal and what a tool sees in a pipe: colour and safe escapes on a
 * pseudo-terminal, the spinner gone once output flows, nothing added in a pipe, --json and --prefix
 * rebuilding the streams under faults, and Ctrl-C on a terminal.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile, withLocalServer } from '../helpers/local-server.js';
import { joinedPieces } from '../helpers/pieces.js';
import { scenario, writeScenarioScript } from '../helpers/scenario.js';
import { Screen, cliCommand, runOnPty, startOnPty } from '../helpers/tty.js';
import { Gates, until } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

// Every test starts from the server's own faults, whichever ran before (or alone, with -t).
const local = localServerForFile({ resetFaultsAfterEach: true });
const dir = tempDirForFile('rt-tty-');
const gates = new Gates();
afterAll(() => gates.remove());

const env = (extra: Record<string, string> = {}) => local.env({ TERM: 'xterm-256color', ...extra });

const HOSTILE = String.raw`printf 'title\033]0;pwned\007 clip\033]52;c;aGk=\007 query\033[6n apc\033_x\033\\ \033[31mred\033[0m\n'`;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

describe('on a terminal', () => {
  it('colours stderr, keeps the remote colours, neutralises takeover sequences', async () => {
    const view = await local.server.execute('dbx_local', `${HOSTILE}; echo problem >&2; exit 3`);
    const result = await runOnPty(cliCommand(['dbx_local', view.execution_id], env()));
    const text = result.output.toString('utf8');
    expect(result.status).toBe(3);
    expect(text).toContain('\x1b[31mred\x1b[0m'); // the remote's colour passes
    expect(text).toMatch(/\x1b\[31mproblem\x1b\[39m/); // our stderr colour
    expect(text).not.toContain('\x1b]0;'); // no title
    expect(text).not.toContain('\x1b]52;'); // no clipboard write
    expect(text).not.toContain('\x1b[6n'); // no cursor query
    expect(text).not.toContain('\x1b_'); // no APC
    expect(text).toContain('^[]0;pwned'); // shown, inert
    expect(text).toContain('^[]52;c;aGk=');
  });

  it('--raw passes everything through', async () => {
    const view = await local.server.execute('dbx_local', HOSTILE);
    const result = await runOnPty(cliCommand(['dbx_local', view.execution_id, '--raw'], env()));
    expect(result.output.toString('utf8')).toContain('\x1b]0;pwned\x07');
  });

  it('--prefix on a terminal: stderr text in colour as in the plain view, stdout text not', async () => {
    const view = await local.server.execute('dbx_local', 'echo problem >&2; echo fine');
    const result = await runOnPty(cliCommand(['dbx_local', view.execution_id, '--prefix'], env()));
    const screen = result.output.toString('utf8');
    expect(screen).toContain('\x1b[31mstderr |\x1b[39m \x1b[31mproblem\x1b[39m');
    expect(screen).toContain('\x1b[36mstdout |\x1b[39m fine');
  });

  it('--color never and NO_COLOR add no colour of ours', async () => {
    const view = await local.server.execute('dbx_local', 'echo problem >&2');
    for (const [args, extra] of [
      [['--color', 'never'], {}],
      [[], { NO_COLOR: '1' }],
      [['--prefix', '--color', 'never'], {}],
    ] as const) {
      const result = await runOnPty(cliCommand(['dbx_local', view.execution_id, ...args], env(extra)));
      expect(result.output.toString('utf8')).not.toContain('\x1b[31m');
      expect(result.output.toString('utf8')).toContain('problem');
    }
  });

  it('clears the spinner once output flows: the screen shows only the log and the prompt line', async () => {
    const screen = new Screen();
    // Each line is written only once the previous one is on the screen, so the order across the
    // two streams (independent connections) is certain; the first waits until the spinner shows.
    const [first, second, third] = [gates.gate('one'), gates.gate('two'), gates.gate('three')];
    try {
      const view = await local.server.execute('dbx_local', `${first.wait}; echo one; ${second.wait}; echo two >&2; ${third.wait}; echo three`);
      await screen.start(cliCommand(['dbx_local', view.execution_id], env()));
      // A whole line: the spinner's text names the execution, whose id might contain "one".
      const onScreen = (test: (line: string) => boolean, what: string) =>
        until(async () => ((await screen.capture()).split('\n').some(test) ? true : undefined), `${what} on screen`);
      await onScreen((line) => SPINNER.test(line), 'the spinner');
      first.open();
      await onScreen((line) => line.trim() === 'one', 'one');
      second.open();
      await onScreen((line) => line.trim() === 'two', 'two');
      third.open();
      await screen.ended();
      const lines = (await screen.capture()).split('\n').filter((line) => line.trim() !== '');
      // The streams travel apart, but the gates make this order certain: each line was written
      // only once the one before it was on the screen.
      expect(lines).toEqual(['one', 'two', 'three', '__status=0']);
    } finally {
      first.open();
      second.open();
      third.open();
      await screen.close();
    }
  });

  it('Ctrl-C: spinner cleared, cursor shown, the resume command printed, exit 130', async () => {
    const screen = new Screen();
    try {
      const view = await local.server.execute('dbx_local', 'echo started; sleep 600');
      await screen.start(cliCommand(['dbx_local', view.execution_id], env()));
      await until(async () => ((await screen.capture()).split('\n').some((line) => line.trim() === 'started') ? true : undefined), 'the first line on screen');
      await screen.keys('C-c');
      await screen.ended();
      const screenText = await screen.capture();
      expect(screenText).toContain(`runloop-tail: interrupted; resume with: runloop-tail dbx_local ${view.execution_id} --stdout-offset 8 --stderr-offset 0`);
      expect(screenText).toContain('__status=130');
      expect(screenText).not.toMatch(SPINNER);
      expect((await screen.tmux('display', '-p', '#{cursor_flag}')).trim()).toBe('1');
    } finally {
      await screen.close();
    }
  });

  it('shows no spinner when CI is set', async () => {
    // The command writes only once both streams are connected: a spinner, had one been started
    // while connecting, would be on the terminal before that.
    const gate = gates.gate();
    try {
      const before = local.server.connections();
      const view = await local.server.execute('dbx_local', `${gate.wait}; echo late`);
      const run = startOnPty(cliCommand(['dbx_local', view.execution_id], env({ CI: 'true' })));
      await until(() => (local.server.connections() - before >= 2 ? true : undefined), 'both streams connected');
      gate.open();
      const result = await run.done;
      expect(result.output.toString('utf8')).not.toMatch(SPINNER);
      expect(result.output.toString('utf8')).toContain('late');
      expect(result.status).toBe(0);
    } finally {
      gate.open();
    }
  });

  it('shows a spinner while waiting for the first bytes, and a reconnect note', async () => {
    const gate = gates.gate();
    try {
      local.server.setFaults({ seed: 5, cutAfterBytes: 100, chunkSize: 8 });
      // Nothing is written until the spinner is on the terminal; then enough SSE bytes (over 100)
      // that the connection is cut at least once.
      const view = await local.server.execute('dbx_local', `${gate.wait}; i=0; while [ $i -lt 6 ]; do echo "row $i"; i=$((i+1)); done`);
      const run = startOnPty(cliCommand(['dbx_local', view.execution_id, '--stdout-only'], env()));
      await until(() => (SPINNER.test(run.output().toString('utf8')) ? true : undefined), 'the spinner');
      gate.open();
      const result = await run.done;
      const text = result.output.toString('utf8');
      expect(text).toMatch(/runloop-tail: stdout: reconnecting from byte \d+, attempt 1/);
      expect(text).toContain('row 5');
      expect(result.status).toBe(0);
    } finally {
      gate.open();
    }
  });
});

describe('in a pipe', () => {
  it('adds no colour, no spinner and changes no byte', async () => {
    const view = await local.server.execute('dbx_local', `${HOSTILE}; ${HOSTILE} >&2`);
    const result = await runCli(['dbx_local', view.execution_id, '--color', 'auto'], { env: env({ FORCE_COLOR: '' }) });
    const expected = await local.server.readOutput(view.execution_id, 'stdout');
    expect(result.stdout.equals(expected)).toBe(true);
    expect(result.stderr.equals(await local.server.readOutput(view.execution_id, 'stderr'))).toBe(true);
    expect(result.stderr.toString()).not.toMatch(SPINNER);
  });
});

describe('line modes rebuild the streams under faults', () => {
  // A server per seed (faults are per server), so the seeds run at the same time.
  it.concurrent.for([2001, 2002, 2003, 2004])('--json, seed %i', async (seed, { expect }) => {
    const s = scenario(seed, { maxLine: 5000 });
    const { view, result } = await withLocalServer(s.faults, async (own) => {
      const view = await own.server.execute('dbx_local', writeScenarioScript(dir, s));
      const result = await runCli(['dbx_local', view.execution_id, '--json', '--max-retries', '50'], { env: own.env({ TERM: 'xterm-256color' }) });
      return { view, result };
    });
    expect(result.stderr.toString()).toBe('');
    const records = result.stdout
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream?: string; text?: string; offset?: number; bytes_base64?: string; event?: string; exit_status?: number });
    const rebuilt = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const next = { stdout: 0, stderr: 0 };
    expect(records[0]).toMatchObject({ event: 'start', devbox_id: 'dbx_local', execution_id: view.execution_id, offsets: { stdout: 0, stderr: 0 } });
    for (const record of records.slice(1, -1)) {
      const stream = record.stream as 'stdout' | 'stderr';
      const bytes = record.bytes_base64 ? Buffer.from(record.bytes_base64, 'base64') : Buffer.from(record.text ?? '', 'utf8');
      expect(record.offset).toBe(next[stream]);
      next[stream] += bytes.length;
      rebuilt[stream].push(bytes);
    }
    expect(Buffer.concat(rebuilt.stdout).equals(s.expected.stdout)).toBe(true);
    expect(Buffer.concat(rebuilt.stderr).equals(s.expected.stderr)).toBe(true);
    expect(records.at(-1)).toEqual({ event: 'exit', exit_status: s.exitStatus });
    expect(result.status).toBe(s.exitStatus);
  });

  it('--prefix labels every line and never splices the streams', async () => {
    local.server.setFaults({ seed: 11, chunkSize: [1, 7], cutProbability: 0.05 });
    const view = await local.server.execute(
      'dbx_local',
      'i=0; while [ $i -lt 50 ]; do echo "out line $i with é"; echo "err line $i" >&2; i=$((i+1)); done',
    );
    const result = await runCli(['dbx_local', view.execution_id, '--prefix', '--merge', '--max-retries', '50'], { env: env() });
    const lines = result.stdout.toString('utf8').trimEnd().split('\n');
    // Every line labelled; a line may be shown in pieces after a quiet spell (see joinedPieces).
    expect(lines.filter((line) => !line.startsWith('stdout | ') && !line.startsWith('stderr | '))).toEqual([]);
    const out = lines.filter((line) => line.startsWith('stdout | ')).map((line) => line.slice(9));
    const err = lines.filter((line) => line.startsWith('stderr | ')).map((line) => line.slice(9));
    const expectedOut = Array.from({ length: 50 }, (_, i) => `out line ${i} with é`);
    const expectedErr = Array.from({ length: 50 }, (_, i) => `err line ${i}`);
    expect(joinedPieces(out, expectedOut)).toEqual(expectedOut);
    expect(joinedPieces(err, expectedErr)).toEqual(expectedErr);
  });

  it('--timestamps puts an ISO 8601 time before each line', async () => {
    const view = await local.server.execute('dbx_local', 'echo a; echo b');
    const result = await runCli(['dbx_local', view.execution_id, '--timestamps'], { env: env() });
    expect(result.stdout.toString()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z a\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z b\n$/);
  });

  it('a partial line is shown after a quiet spell, before its newline arrives', async () => {
    const gate = gates.gate('partial');
    try {
      const view = await local.server.execute('dbx_local', `printf 'waiting...'; ${gate.wait}; echo ' done'`);
      const child = startCli(['dbx_local', view.execution_id, '--prefix'], { env: env() });
      const done = collect(child);
      await waitForOutput(child, 'stdout', (text) => text.includes('stdout | waiting...\n'));
      gate.open();
      const result = await done;
      expect(result.stdout.toString()).toBe('stdout | waiting...\nstdout |  done\n');
    } finally {
      gate.open();
    }
  });
});
