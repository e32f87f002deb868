#!/usr/bin/env node
// Start-up cost of runloop-tail against Node itself: the median wall time of `node -e 0`, the npm
// entry (`node bin/runloop-tail.js --help` / `--version`, answered by dist/entry.cjs from the
// pre-rendered texts, needs `npm run build`; `config path`, which loads the CLI) and the single
// executable (needs `npm run build:binary`; skipped when absent), and each one's ratio to
// `node -e 0`. Commands run round-robin so a busy machine slows all of them alike.
//
//   node bench/startup.js [--runs N] [--warmup N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function flag(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} needs a whole number of 1 or more`);
    process.exit(2);
  }
  return value;
}

const runs = flag('--runs', 30);
const warmup = flag('--warmup', 3);

const entry = path.join(root, 'bin', 'runloop-tail.js');
const binary = path.join(root, 'dist', `runloop-tail-${process.platform}-${process.arch}`);

const commands = [
  { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
  { name: 'node bin/runloop-tail.js --help', file: process.execPath, args: [entry, '--help'] },
  { name: 'node bin/runloop-tail.js --version', file: process.execPath, args: [entry, '--version'] },
  // Not pre-rendered: what starting the CLI itself costs (commander, the ESM loader), for comparison.
  { name: 'node bin/runloop-tail.js config path', file: process.execPath, args: [entry, 'config', 'path'] },
];
if (existsSync(binary)) {
  const shown = path.relative(root, binary);
  commands.push({ name: `${shown} --help`, file: binary, args: ['--help'] });
  commands.push({ name: `${shown} --version`, file: binary, args: ['--version'] });
} else {
  console.log(`(no ${path.relative(root, binary)}: run npm run build:binary to include the single executable)`);
}
if (!existsSync(path.join(root, 'dist', 'cli.cjs'))) {
  console.error('dist/cli.cjs is missing: run npm run build first');
  process.exit(2);
}

/** Runs one command to its end and returns its wall time in ms; throws when it fails. */
function timeOnce(command) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command.file, command.args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command.name} exited with ${result.status}: ${result.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const samples = new Map(commands.map((command) => [command.name, []]));
for (let round = 0; round < warmup + runs; round += 1) {
  for (const command of commands) {
    const ms = timeOnce(command);
    if (round >= warmup) samples.get(command.name).push(ms);
  }
}

const base = median(samples.get('node -e 0'));
const width = Math.max(...commands.map((command) => command.name.length));
console.log(`node ${process.version}, ${runs} runs each (after ${warmup} warm-up), median wall time:`);
for (const command of commands) {
  const values = samples.get(command.name);
  const m = median(values);
  const low = Math.min(...values);
  console.log(`  ${command.name.padEnd(width)}  ${m.toFixed(1).padStart(7)} ms  (min ${low.toFixed(1).padStart(6)})  ${(m / base).toFixed(2)}x`);
}
