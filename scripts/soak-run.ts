/**
 * The soak: many seeded runs of the real CLI against the emulator under random faults, each checked
 * byte for byte (stdout and stderr) and by exit status. Each run gets its own in-process server
 * seeded with the run's seed, so execution ids and every fault decision replay from the seed alone
 * (timing still varies: a replay repeats the schedule, not the interleaving).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/emulator/server.js';
import { baseEnv, collect, type CliResult } from '../test/helpers/run-cli.js';
import { soakScenario, writeScenarioScript, type SoakScenario } from '../test/helpers/scenario.js';

export interface SoakOptions {
  readonly runs: number;
  /** The first seed; run i uses seed + i. */
  readonly seed: number;
  /** Runs at the same time (default 2). */
  readonly concurrency?: number;
  /** The built CLI entry (bin/runloop-tail.js). */
  readonly cliPath: string;
  /** A run that takes longer than this fails (default 90 s). */
  readonly runTimeoutMs?: number;
  /** Where failed runs leave their outputs and server log; default: none kept. */
  readonly keepFailuresIn?: string;
  /** One line per failure (and per run with `verbose`). */
  readonly log?: (line: string) => void;
  readonly verbose?: boolean;
}

export interface SoakFailure {
  readonly seed: number;
  readonly problems: readonly string[];
}

export interface SoakResult {
  readonly runs: number;
  readonly failures: readonly SoakFailure[];
  readonly firstSeed: number;
  readonly lastSeed: number;
  readonly seconds: number;
}

/** The shell command that replays one seed. */
export function replayCommand(seed: number): string {
  return `npm run soak -- --runs 1 --seed ${seed}`;
}

/** Where two buffers first differ, or undefined when equal. */
function firstDifference(got: Buffer, expected: Buffer): number | undefined {
  if (got.equals(expected)) return undefined;
  const length = Math.min(got.length, expected.length);
  for (let i = 0; i < length; i++) if (got[i] !== expected[i]) return i;
  return length;
}

/** What is wrong with a run's result, if anything. */
export function checkResult(s: SoakScenario, result: CliResult): string[] {
  const problems: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const got = result[stream];
    const expected = s.expected[stream];
    const at = firstDifference(got, expected);
    if (at !== undefined) {
      const near = got.subarray(Math.max(0, at - 20), at + 40).toString('utf8');
      problems.push(`${stream}: ${got.length} bytes, expected ${expected.length}; first difference at byte ${at} (got ${JSON.stringify(near)})`);
    }
  }
  if (result.status !== s.exitStatus) {
    problems.push(`exit status ${result.status ?? `signal ${result.signal}`}, expected ${s.exitStatus}`);
  }
  return problems;
}

/** What the server did to a run's stream connections, from its request log. */
export function faultCounts(serverLog: readonly string[]): string {
  const streams = serverLog.filter((line) => / \/v1\/devboxes\/[^ ]*\/stream_(stdout|stderr)_updates/.test(line));
  const count = (pattern: RegExp) => streams.filter((line) => pattern.test(line)).length;
  return (
    `${streams.length} connections: ${count(/\(fault\)/)} error answers, ${count(/\(cut/)} cut, ` +
    `${count(/\(idle/)} idle ends, ${count(/ from \d+/)} resends`
  );
}

interface RunOutcome {
  readonly failure: SoakFailure | undefined;
  readonly stats: string;
}

async function runOne(seed: number, dir: string, options: SoakOptions): Promise<RunOutcome> {
  const s = soakScenario(seed);
  const serverLog: string[] = [];
  const server = await startServer({ port: 0, env: baseEnv(), ...s.faults, log: (line) => serverLog.push(line) });
  let result: CliResult | undefined;
  let problems: string[];
  try {
    const command = writeScenarioScript(dir, s);
    const view = await server.execute('dbx_local', command);
    if (s.afterCompletion) await server.waitCompleted(view.execution_id);
    const child = spawn(process.execPath, [options.cliPath, 'dbx_local', view.execution_id, '--max-retries', '50', ...s.cliArgs], {
      env: baseEnv({ RUNLOOP_API_KEY: server.apiKey, RUNLOOP_BASE_URL: server.url }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    result = await collect(child, { timeoutMs: options.runTimeoutMs ?? 90_000 });
    problems = checkResult(s, result);
  } catch (error) {
    problems = [(error as Error).message];
  } finally {
    await server.close();
  }
  const stats = faultCounts(serverLog);
  if (problems.length === 0) return { failure: undefined, stats };
  if (options.keepFailuresIn !== undefined) {
    const keep = join(options.keepFailuresIn, `seed-${seed}`);
    await mkdir(keep, { recursive: true });
    await Promise.all([
      writeFile(join(keep, 'expected-stdout'), s.expected.stdout),
      writeFile(join(keep, 'expected-stderr'), s.expected.stderr),
      writeFile(join(keep, 'stdout'), result?.stdout ?? ''),
      writeFile(join(keep, 'stderr'), result?.stderr ?? ''),
      writeFile(join(keep, 'server.log'), serverLog.join('\n') + '\n'),
      writeFile(join(keep, 'scenario.json'), JSON.stringify({ faults: s.faults, cliArgs: s.cliArgs, afterCompletion: s.afterCompletion, exitStatus: s.exitStatus }, null, 2)),
    ]);
    problems.push(`outputs and server log kept in ${keep}`);
  }
  return { failure: { seed, problems }, stats };
}

/** Runs the soak; never throws for a failed run (it is in the result). */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'runloop-tail-soak-'));
  const failures: SoakFailure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.runs) {
      const seed = options.seed + next++;
      const runStarted = Date.now();
      const { failure, stats } = await runOne(seed, dir, options);
      if (failure) {
        failures.push(failure);
        log(`soak: seed ${seed} FAILED: ${failure.problems.join('; ')}`);
        log(`soak:   replay: ${replayCommand(seed)}`);
      } else if (options.verbose) {
        log(`soak: seed ${seed} ok (${Date.now() - runStarted} ms; ${stats})`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, options.runs) }, worker));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  failures.sort((a, b) => a.seed - b.seed);
  return {
    runs: options.runs,
    failures,
    firstSeed: options.seed,
    lastSeed: options.seed + options.runs - 1,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The one summary line. */
export function summaryLine(result: SoakResult): string {
  return `soak: ${result.runs} runs, ${result.failures.length} failed, seeds ${result.firstSeed}..${result.lastSeed}, ${result.seconds.toFixed(0)} s`;
}
