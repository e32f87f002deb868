/**
 * Several executions at once against the real local server: labelled, line-safe output with stdout
 * and stderr apart, the exit status rule, --json's execution field, --save files per execution,
 * --fail-fast, and one resume command for all. No assertion on the order between executions or
 * between the two streams.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executionLabels } from '../../src/commands/targets.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { joinedPieces as joined } from '../helpers/pieces.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

// Small events and cuts, so lines of different executions arrive in pieces at the same time.
const local = localServerForFile({ start: { seed: 9, chunkSize: [1, 40], cutProbability: 0.02, resendProbability: 0.3, resendBytes: 50 } });
const dir = tempDirForFile('rt-many-');

const env = () => local.env();
const script = (name: string, lines: number, status: number) =>
  `i=1; while [ $i -le ${lines} ]; do echo "${name} out $i é"; echo "${name} err $i" >&2; i=$((i+1)); done; printf '${name} partial'; exit ${status}`;
const expectedOut = (name: string, lines: number) => [...Array.from({ length: lines }, (_, i) => `${name} out ${i + 1} é`), `${name} partial`];
const expectedErr = (name: string, lines: number) => Array.from({ length: lines }, (_, i) => `${name} err ${i + 1}`);

/** The lines of one output by execution id, from their labels. Every line must carry one. */
function byLabel(text: string, ids: readonly string[]): Map<string, string[]> {
  const labels = executionLabels(ids);
  const result = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const line of text.split('\n').slice(0, -1)) {
    const index = labels.findIndex((l) => line.startsWith(`${l} `));
    expect(index, `unlabelled line: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
    result.get(ids[index] as string)?.push(line.slice((labels[index] as string).length + 1));
  }
  return result;
}
const nameOf = (ids: readonly string[], index: number) => (executionLabels(ids)[index] ?? '').trim();

describe('several executions at once', () => {
  it('labels every line, keeps stdout and stderr apart, and exits with the first non-zero status in argument order', async () => {
    const views = await Promise.all([
      local.server.execute('dbx_local', script('alpha', 30, 0)),
      local.server.execute('dbx_local', script('beta', 20, 3)),
      local.server.execute('dbx_local', script('gamma', 25, 5)),
    ]);
    const ids = views.map((v) => v.execution_id);
    const result = await runCli([...ids.map((id) => `dbx_local/${id}`), '--max-retries', '50'], { env: env() });
    expect(result.status).toBe(3);
    const out = byLabel(result.stdout.toString(), ids);
    const err = byLabel(
      result.stderr
        .toString()
        .split('\n')
        .filter((line) => !line.startsWith('runloop-tail: '))
        .join('\n'),
      ids,
    );
    expect(joined(out.get(ids[0] as string) ?? [], expectedOut('alpha', 30))).toEqual(expectedOut('alpha', 30));
    expect(joined(out.get(ids[1] as string) ?? [], expectedOut('beta', 20))).toEqual(expectedOut('beta', 20));
    expect(joined(out.get(ids[2] as string) ?? [], expectedOut('gamma', 25))).toEqual(expectedOut('gamma', 25));
    expect(joined(err.get(ids[0] as string) ?? [], expectedErr('alpha', 30))).toEqual(expectedErr('alpha', 30));
    expect(joined(err.get(ids[1] as string) ?? [], expectedErr('beta', 20))).toEqual(expectedErr('beta', 20));
    expect(joined(err.get(ids[2] as string) ?? [], expectedErr('gamma', 25))).toEqual(expectedErr('gamma', 25));
    // Each failure is named on stderr, in a line of ours.
    expect(result.stderr.toString()).toContain(`runloop-tail: ${nameOf(ids, 1)}: exited with status 3`);
    expect(result.stderr.toString()).toContain(`runloop-tail: ${nameOf(ids, 2)}: exited with status 5`);
  });

  it('--json adds the execution to every record, and an exit record per execution; --tail applies to each', async () => {
    const views = await Promise.all([local.server.execute('dbx_local', script('one', 10, 0)), local.server.execute('dbx_local', script('two', 10, 0))]);
    await Promise.all(views.map((v) => local.server.waitCompleted(v.execution_id)));
    const ids = views.map((v) => v.execution_id);
    const result = await runCli([...ids.map((id) => `dbx_local/${id}`), '--json', '--tail', '2'], { env: env() });
    expect(result.status).toBe(0);
    const records = result.stdout
      .toString()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { execution?: string; stream?: string; text?: string; event?: string; exit_status?: number });
    for (const [index, id] of ids.entries()) {
      const name = index === 0 ? 'one' : 'two';
      const mine = records.filter((r) => r.execution === id);
      expect(mine.filter((r) => r.stream === 'stdout').map((r) => r.text)).toEqual([`${name} out 10 é\n`, `${name} partial`]);
      expect(mine.filter((r) => r.stream === 'stderr').map((r) => r.text)).toEqual([`${name} err 9\n`, `${name} err 10\n`]);
      expect(mine.filter((r) => r.event === 'exit')).toEqual([{ event: 'exit', execution: id, exit_status: 0 }]);
    }
    expect(records.every((r) => r.execution !== undefined)).toBe(true);
  });

  it('--save DIR keeps each execution in its own files, byte-exact, and a rerun has nothing left to add', async () => {
    const views = await Promise.all([local.server.execute('dbx_local', script('left', 15, 0)), local.server.execute('dbx_local', script('right', 12, 4))]);
    const ids = views.map((v) => v.execution_id);
    const save = join(dir, 'save-many');
    const args = [...ids.map((id) => `dbx_local/${id}`), '--save', save, '--max-retries', '50'];
    const result = await runCli(args, { env: env() });
    expect(result.status).toBe(4);
    const expected = [
      { id: ids[0] as string, name: 'left', lines: 15 },
      { id: ids[1] as string, name: 'right', lines: 12 },
    ];
    const saved = () =>
      expected.map(({ id }) => ({ stdout: readFileSync(join(save, `${id}.stdout`), 'utf8'), stderr: readFileSync(join(save, `${id}.stderr`), 'utf8') }));
    // stdout ends with a partial line (no newline), stderr with a whole one.
    const files = expected.map(({ name, lines }) => ({ stdout: expectedOut(name, lines).join('\n'), stderr: `${expectedErr(name, lines).join('\n')}\n` }));
    expect(saved()).toEqual(files);
    // The files say where each resumes: at their ends, so a rerun writes nothing more and shows nothing.
    const again = await runCli(args, { env: env() });
    expect(again.status).toBe(4);
    expect(again.stdout.toString()).toBe('');
    expect(saved()).toEqual(files);
  });

  it('--fail-fast stops the others at the first failure and prints one command that resumes them', async () => {
    const gate = join(dir, 'gate-fail-fast');
    const marker = join(dir, 'marker-fail-fast');
    const waiting = await local.server.execute('dbx_local', `echo waiting; touch '${marker}'; while [ ! -e '${gate}' ]; do sleep 0.02; done; echo after; exit 0`);
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: PATIENCE_MS, interval: 20 });
    const failing = await local.server.execute('dbx_local', 'echo failing; exit 9');
    await local.server.waitCompleted(failing.execution_id);
    const result = await runCli([`dbx_local/${waiting.execution_id}`, `dbx_local/${failing.execution_id}`, '--fail-fast'], { env: env() });
    expect(result.status).toBe(9);
    // The base URL came from the environment: the line repeats it, as a single follow's does.
    const resume = new RegExp(`--fail-fast stopped the others; resume them with: runloop-tail (\\S+) --base-url ${local.server.url} --fail-fast\n`).exec(
      result.stderr.toString(),
    );
    expect(resume, result.stderr.toString()).not.toBeNull();
    // Only the unfinished one is in it, with the offsets it had reached.
    expect(resume?.[1]).toMatch(new RegExp(`^dbx_local/${waiting.execution_id}@\\d+,\\d+$`));

    // The printed command continues it with no gap and no repeat.
    writeFileSync(gate, '');
    const shown = byLabel(result.stdout.toString(), [waiting.execution_id, failing.execution_id]).get(waiting.execution_id) ?? [];
    const rest = await runCli([resume?.[1] as string], { env: env() });
    expect(rest.status).toBe(0);
    // What was shown, then the resumed follow's bytes: together exactly the command's two lines.
    const restLines = rest.stdout.toString().split('\n');
    expect(restLines.pop()).toBe('');
    expect(joined([...shown, ...restLines], ['waiting', 'after'])).toEqual(['waiting', 'after']);
  });

  it('Ctrl-C prints one resume command that continues all of them', async () => {
    const gate = join(dir, 'gate-interrupt');
    const views = await Promise.all(
      ['first', 'second'].map((name) => local.server.execute('dbx_local', `echo "${name} before"; while [ ! -e '${gate}' ]; do sleep 0.02; done; echo "${name} after"; exit 0`)),
    );
    const ids = views.map((v) => v.execution_id);
    const child = startCli(ids.map((id) => `dbx_local/${id}`), { env: env() });
    const done = collect(child);
    await waitForOutput(child, 'stdout', (text) => {
      const shown = byLabel(text, ids);
      return ids.every((id, index) => (shown.get(id) ?? []).join('').includes(`${index === 0 ? 'first' : 'second'} before`));
    });
    child.kill('SIGINT');
    const interrupted = await done;
    expect(interrupted.status).toBe(130);
    const resume = /interrupted; resume with: runloop-tail (.+)\n/.exec(interrupted.stderr.toString());
    expect(resume, interrupted.stderr.toString()).not.toBeNull();
    const words = (resume?.[1] ?? '').split(' ');
    expect(words.slice(2)).toEqual(['--base-url', local.server.url]);

    writeFileSync(gate, '');
    const rest = await runCli(words, { env: env() });
    expect(rest.status).toBe(0);
    const before = byLabel(interrupted.stdout.toString(), ids);
    const after = byLabel(rest.stdout.toString(), ids);
    for (const [index, id] of ids.entries()) {
      const name = index === 0 ? 'first' : 'second';
      const expected = [`${name} before`, `${name} after`];
      expect(joined([...(before.get(id) ?? []), ...(after.get(id) ?? [])], expected)).toEqual(expected);
    }
  });
});
