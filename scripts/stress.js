// `npm run test:stress -- --runs N`: the end-to-end suite (vitest on test/e2e, after one build), N
// times in a row, while a CPU hog keeps every core busy, to show that no test depends on this
// machine's speed. One line per run (the failed tests of a red run under it), then
// `stress: K/N runs green`; exit status 0 only when every run was green. Each run's full vitest
// output is kept in a log file whose path is printed.
//   --runs N    how many runs (default 10)
//   --hogs N    how many spinning processes (default: one per core)
//   --keep-going / --bail    go on after a red run (default) or stop at the first
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

function usage(message) {
  console.error(`stress: ${message}\nusage: npm run test:stress -- [--runs N] [--hogs N] [--bail]`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { runs: 10, hogs: availableParallelism(), bail: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--bail') options.bail = true;
    else if (arg === '--keep-going') options.bail = false;
    else if (arg === '--runs' || arg === '--hogs') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === '--runs' ? 1 : 0)) usage(`${arg} needs a whole number`);
      options[arg.slice(2)] = value;
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const logDir = mkdtempSync(path.join(tmpdir(), 'runloop-tail-stress-'));

/** Every child this script started and has not seen exit: killed by pid on the way out. */
const children = new Set();

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function killAll() {
  for (const child of children) {
    // Vitest runs in a process group of its own (detached), so its workers and their children go too.
    try {
      if (child.spawnargs.includes(vitest)) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    console.error(`stress: stopped by ${signal}; logs in ${logDir}`);
    process.exit(130);
  });
}
process.on('exit', killAll);

/** Runs a command to its end; resolves with its exit status. */
function run(file, args, { log, detached = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(file, args, { cwd: root, stdio: ['ignore', log ? 'pipe' : 'inherit', log ? 'pipe' : 'inherit'], detached }));
    if (log) {
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
    }
    child.on('error', reject);
    child.on('close', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
  });
}

/** The failed tests of a vitest JSON report, as "file > test" names with the first line of their message. */
function failures(reportPath) {
  if (!existsSync(reportPath)) return ['(vitest wrote no report: see the log)'];
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const found = [];
  for (const file of report.testResults ?? []) {
    const name = path.relative(root, file.name);
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      const first = String(test.failureMessages?.[0] ?? '').split('\n')[0];
      found.push(`${name} > ${test.fullName}${first ? `: ${first.slice(0, 200)}` : ''}`);
    }
    // A file can fail outside its tests (a hook, an import, an unhandled error).
    if (failed.length === 0 && file.status === 'failed') found.push(`${name}: ${String(file.message ?? 'failed').split('\n')[0].slice(0, 200)}`);
  }
  if (found.length === 0 && report.success === false) found.push('(the run failed outside any test, e.g. an unhandled error: see the log)');
  return found;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

let green = 0;
let done = 0;
try {
  console.log(`stress: building once, then ${options.runs} run(s) of test/e2e with ${options.hogs} CPU hog(s); logs in ${logDir}`);
  const built = await run(process.execPath, [path.join(root, 'scripts', 'build.js')]);
  if (built !== 0) throw new Error(`the build failed (exit status ${built})`);

  for (let i = 0; i < options.hogs; i++) {
    track(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }

  for (let index = 1; index <= options.runs; index++) {
    const logPath = path.join(logDir, `run-${index}.log`);
    const reportPath = path.join(logDir, `run-${index}.json`);
    const log = createWriteStream(logPath);
    const started = Date.now();
    const status = await run(
      process.execPath,
      [vitest, 'run', 'test/e2e', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`],
      { log, detached: true },
    );
    await new Promise((resolve) => log.end(resolve));
    done++;
    const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined;
    const tests = report ? `${report.numPassedTests}/${report.numTotalTests} tests` : 'no report';
    if (status === 0) {
      green++;
      console.log(`run ${index}/${options.runs}: green, ${tests}, ${seconds(Date.now() - started)}`);
      rmSync(reportPath, { force: true });
    } else {
      console.log(`run ${index}/${options.runs}: RED (exit status ${status}), ${tests}, ${seconds(Date.now() - started)}; log: ${logPath}`);
      for (const line of failures(reportPath)) console.log(`  failed: ${line}`);
      if (options.bail) break;
    }
  }
} catch (error) {
  console.error(`stress: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  killAll();
}
console.log(`stress: ${green}/${options.runs} runs green${done < options.runs ? ` (${done} run)` : ''}`);
process.exitCode = green === options.runs ? 0 : 1;
