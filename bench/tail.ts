/**
 * npm run bench:tail -- [--size MiB] [--repeat N] [--lines N]
 *
 * `--tail N` over a large completed execution (issue 15: "the reading is at full speed (reading
 * 1 GB to show its last 10 lines is a benchmark figure, not a wait per event)"). One command
 * writes `--size` MiB (default 256; 3/4 on stdout, 1/4 on stderr, numbered 100-byte lines with
 * multi-byte text, stdout ending in a line without a newline, exit status 3), served by
 * `runloop-tail serve` in its own process; then `runloop-tail dbx_local <exn> --tail 10` follows
 * it, its output in files on tmpfs, measured by bench/measure.ts (wall time here; CPU and peak RSS
 * from /usr/bin/time; private memory polled from /proc).
 *
 * Before any figure is printed the run is checked: each stream's output must be exactly the last
 * N lines of what the command wrote (read from the server's own files), and the exit status the
 * remote's. A run that fails prints FAILED and the reason, and the benchmark exits 1.
 */
import { existsSync, readFileSync, openSync, closeSync, readSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { haveTime, measure } from './measure.js';
import { execute, startServe, waitCompleted } from './serve.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const LINE_BYTES = 100;
const REMOTE_EXIT_STATUS = 3;
const STREAMS = ['stdout', 'stderr'] as const;

const { values } = parseArgs({
  options: { size: { type: 'string' }, repeat: { type: 'string' }, lines: { type: 'string' } },
});
const sizeMiB = Number(values.size ?? 256);
const repeat = Number(values.repeat ?? 1);
const tailLines = Number(values.lines ?? 10);
for (const [name, value] of [['--size', sizeMiB], ['--repeat', repeat], ['--lines', tailLines]] as const) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1`);
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const fixed = (n: number, digits = 2) => n.toFixed(digits);

/**
 * The command: numbered lines of exactly 100 bytes (`é€` makes them multi-byte text), so the last
 * N lines are each distinct and a follower that shows the wrong ones shows.
 */
function command(): string {
  const filler = 'é€'.repeat(4) + 'x'.repeat(LINE_BYTES - 1 - 'out 000000000000 '.length - Buffer.byteLength('é€'.repeat(4)));
  const out = Math.floor((sizeMiB * MiB * 0.75) / LINE_BYTES);
  const err = Math.floor((sizeMiB * MiB * 0.25) / LINE_BYTES);
  return [
    `seq -f 'out %012.0f ${filler}' 1 ${out}`,
    `seq -f 'err %012.0f ${filler}' 1 ${err} >&2`,
    // A final line without a newline counts as a line.
    `printf 'the end, no newline'`,
    `exit ${REMOTE_EXIT_STATUS}`,
  ].join('; ');
}

/** The last `count` lines of a file (a final line without a newline counts), read from its end. */
function lastLines(path: string, count: number): Buffer {
  const size = statSync(path).size;
  const length = Math.min(size, (count + 1) * LINE_BYTES * 4);
  const bytes = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, bytes, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  // The last line's own newline (if it has one) is part of it, not the end of the line before.
  let position = bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  for (let line = 0; line < count; line++) {
    const newline = position > 0 ? bytes.lastIndexOf(0x0a, position - 1) : -1;
    if (newline === -1) {
      if (length < size) throw new Error(`${path}: lines longer than expected`);
      return bytes; // fewer lines than asked for: all of them
    }
    position = newline;
  }
  return bytes.subarray(position + 1);
}

async function main(): Promise<void> {
  const cli = resolve('bin/runloop-tail.js');
  if (!existsSync(resolve('dist/cli.cjs'))) throw new Error('dist/cli.cjs is missing: run `npm run build` first');
  if (!haveTime) throw new Error('/usr/bin/time is missing: CPU time cannot be measured (apt-get install time)');
  const scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'runloop-tail-bench-tail-'));
  const serve = await startServe(cli, join(scratch, 'serve'));
  let failed = false;
  try {
    console.log(`bench:tail: --tail ${tailLines} over ${sizeMiB} MiB, ${repeat} run(s); load average (1, 5, 15 min) ${load()}`);
    const executionId = await execute(serve, command());
    const exitStatus = await waitCompleted(serve, executionId);
    const logs = { stdout: join(serve.dataDir, 'executions', executionId, 'stdout.log'), stderr: join(serve.dataDir, 'executions', executionId, 'stderr.log') };
    const payload = statSync(logs.stdout).size + statSync(logs.stderr).size;
    const expected = { stdout: lastLines(logs.stdout, tailLines), stderr: lastLines(logs.stderr, tailLines) };
    if (exitStatus !== REMOTE_EXIT_STATUS) throw new Error(`the command exited ${exitStatus}, not ${REMOTE_EXIT_STATUS}`);

    console.log('');
    console.log(`| run | wall s | CPU s | CPU s/GiB | peak RSS MiB | private MiB | load (1 min) after | checked |`);
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
    for (let run = 1; run <= repeat; run++) {
      const files = { stdout: join(scratch, `tail-${run}.out`), stderr: join(scratch, `tail-${run}.err`) };
      const measured = await measure(
        [
          {
            argv: [process.execPath, cli, 'dbx_local', executionId, '--tail', String(tailLines), '--max-retries', '50'],
            stdout: files.stdout,
            stderr: files.stderr,
            env: { RUNLOOP_API_KEY: serve.apiKey, RUNLOOP_BASE_URL: serve.url },
          },
        ],
        scratch,
      );
      const status = measured.statuses[0];
      const wrong = [
        ...(status === REMOTE_EXIT_STATUS ? [] : [`exit status ${status}, not ${REMOTE_EXIT_STATUS}`]),
        ...STREAMS.filter((stream) => !readFileSync(files[stream]).equals(expected[stream])).map((stream) => `${stream} is not the last ${tailLines} lines`),
      ];
      if (wrong.length > 0) {
        failed = true;
        console.log(`| ${run} | FAILED | | | | | | ${wrong.join('; ')} |`);
        continue;
      }
      console.log(
        `| ${run} | ${fixed(measured.wallS)} | ${fixed(measured.cpuS)} | ${fixed(measured.cpuS / (payload / GiB))} | ${fixed(measured.peakRssMiB, 1)} | ` +
          `${fixed(measured.privateMiB, 1)} | ${loadavg()[0]?.toFixed(2)} | last ${tailLines} lines of each stream and exit ${REMOTE_EXIT_STATUS} ok |`,
      );
    }
    console.log('');
    console.log(`${payload} bytes (${fixed(payload / MiB, 1)} MiB) followed; load average at the end ${load()}`);
  } catch (error) {
    failed = true;
    console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    const exited = new Promise((done) => serve.child.once('exit', done));
    serve.child.kill('SIGTERM');
    await exited;
    await rm(scratch, { recursive: true, force: true });
  }
  if (failed) {
    console.log('FAILED');
    process.exitCode = 1;
  }
}

await main();
