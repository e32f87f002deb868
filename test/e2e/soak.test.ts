/**
 * CI's short soak: the same runs as `npm run soak`, a couple of dozen of them. SOAK_RUNS and
 * SOAK_SEED pick others (a failure names its seed and the command that replays it).
 */
import { expect, it } from 'vitest';
import { cliPath } from '../helpers/run-cli.js';
import { checkResult, replayCommand, runSoak, summaryLine } from '../../scripts/soak-run.js';
import { soakScenario } from '../helpers/scenario.js';

const runs = Number(process.env.SOAK_RUNS ?? 24);
const seed = Number(process.env.SOAK_SEED ?? 5000);

it(`soak: ${runs} seeded runs from seed ${seed} are byte-exact with the right exit status`, { timeout: 600_000 }, async () => {
  const lines: string[] = [];
  const result = await runSoak({ runs, seed, concurrency: 2, cliPath, log: (line) => lines.push(line) });
  console.log(summaryLine(result));
  expect(lines.join('\n'), summaryLine(result)).toBe('');
  expect(result.failures).toEqual([]);
});

it('a run that differs is reported with where it differs', () => {
  const s = soakScenario(5000);
  const wrong = Buffer.concat([s.expected.stdout, Buffer.from('x')]);
  const problems = checkResult(s, { status: s.exitStatus === 0 ? 1 : 0, signal: null, stdout: wrong, stderr: s.expected.stderr });
  expect(problems).toHaveLength(2);
  expect(problems[0]).toMatch(new RegExp(`^stdout: ${wrong.length} bytes, expected ${s.expected.stdout.length}; first difference at byte ${s.expected.stdout.length}`));
  expect(problems[1]).toMatch(/^exit status \d+, expected \d+$/);
  expect(checkResult(s, { status: s.exitStatus, signal: null, stdout: s.expected.stdout, stderr: s.expected.stderr })).toEqual([]);
  expect(replayCommand(5012)).toBe('npm run soak -- --runs 1 --seed 5012');
});
