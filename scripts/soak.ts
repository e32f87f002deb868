/**
 * npm run soak -- [--runs N] [--seed S] [--concurrency C] [--keep DIR] [--verbose]
 *
 * Seeded random fault schedules against the emulator, the real built CLI following each, stdout,
 * stderr and exit status checked exactly. A failure prints its seed and the command that replays
 * it; the last line is the summary; the exit status is 1 when any run failed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSoak, summaryLine } from './soak-run.js';

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min) {
    console.error(`soak: --${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return number;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    keep: { type: 'string' },
    verbose: { type: 'boolean' },
  },
});

// npm runs scripts from the package root.
const cliPath = resolve('bin/runloop-tail.js');
if (!existsSync(resolve('dist/cli.js'))) {
  console.error('soak: dist/cli.js is missing; run `npm run build` first');
  process.exit(2);
}

const result = await runSoak({
  runs: count('runs', values.runs, 100, 1),
  seed: count('seed', values.seed, 1, 0),
  concurrency: count('concurrency', values.concurrency, 2, 1),
  cliPath,
  keepFailuresIn: values.keep === undefined ? resolve('.bench/soak-failures') : resolve(values.keep),
  verbose: values.verbose ?? false,
  log: (line) => console.log(line),
});
console.log(summaryLine(result));
process.exitCode = result.failures.length > 0 ? 1 : 0;
