/**
 * npm run bench -- [--size MB] [--repeat N] [--latency-seconds S] [--skip-sdk] [--skip-latency] [--json FILE]
 *
 * One large execution (default 128 MiB: 3/4 on stdout, 1/4 on stderr, 100-byte lines with some
 * multi-byte text), completed, served by `runloop-tail serve` in its own process, and followed in
 * turn by: curl -N on both streams at once (the floor), runloop-tail, the least a Node follower
 * can do (bench-node-floor.mjs: parse and write, no offsets or retries), and a follower written with
 * the official SDK. Each follower is its own process, its output goes to files on tmpfs, and
 * /usr/bin/time gives its peak RSS and CPU time; the wall time is measured here, and its private
 * memory (RssAnon: without the pages of the node binary and libraries, which every node process
 * shares) is polled from /proc. runloop-tail's and the SDK's outputs are compared byte for byte
 * with what the command wrote; the server's CPU time per follower is read from /proc too.
 *
 * Then delivery latency: a live command writes a line stamped with the monotonic clock every 10 ms;
 * curl, runloop-tail and the SDK follower follow it at the same time with their output piped here,
 * and each line's arrival time minus its stamp is its latency (same machine, same clock). curl's
 * figures are the server's share (it polls the output file every 20 ms); the difference is the
 * follower's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const MiB = 1024 * 1024;
const LINE_BYTES = 100;
const TIME = '/usr/bin/time';

interface Args {
  sizeMiB: number;
  repeat: number;
  latencySeconds: number;
  skipSdk: boolean;
  skipLatency: boolean;
  json: string | undefined;
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      repeat: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'skip-sdk': { type: 'boolean' },
      'skip-latency': { type: 'boolean' },
      json: { type: 'string' },
    },
  });
  const number = (name: string, value: string | undefined, fallback: number) => {
    const result = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(result) || result <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
    return result;
  };
  return {
    sizeMiB: number('size', values.size, 128),
    repeat: Math.round(number('repeat', values.repeat, 1)),
    latencySeconds: number('latency-seconds', values['latency-seconds'], 5),
    skipSdk: values['skip-sdk'] ?? false,
    skipLatency: values['skip-latency'] ?? false,
    json: values.json,
  };
}

// ---------------------------------------------------------------------------------------------
// The server, in its own process

interface Serve {
  readonly url: string;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
}

async function startServe(cli: string, dataDir: string): Promise<Serve> {
  const apiKey = `bench_${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--api-key', apiKey, '--data-dir', dataDir, '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /^export RUNLOOP_BASE_URL=(\S+)$/.exec(line);
    if (match?.[1]) {
      child.stdout!.resume();
      return { url: match[1], apiKey, dataDir, child };
    }
  }
  throw new Error('serve exited before printing its URL');
}

async function api(serve: Serve, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${serve.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json()) as Record<string, unknown>;
  if (response.status === 408) return data;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

async function execute(serve: Serve, command: string): Promise<string> {
  const view = await api(serve, 'POST', '/v1/devboxes/dbx_local/execute_async', { command });
  return String(view.execution_id);
}

async function waitCompleted(serve: Serve, executionId: string): Promise<void> {
  for (;;) {
    const view = await api(serve, 'POST', `/v1/devboxes/dbx_local/executions/${executionId}/wait_for_status`, { statuses: ['completed'] });
    if (view.status === 'completed') return;
  }
}

function cpuSecondsOf(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// ---------------------------------------------------------------------------------------------
// Measuring one process

interface Measured {
  readonly wallS: number;
  /** Peak resident set, MiB (summed over processes run together). */
  readonly peakRssMiB: number;
  /** Peak private (anonymous) resident memory, polled every 20 ms, MiB (summed). */
  readonly privateMiB: number;
  /** User + system CPU, seconds (summed). */
  readonly cpuS: number;
  readonly status: number | null;
}

interface Job {
  readonly argv: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly env?: Record<string, string>;
}

const haveTime = existsSync(TIME);

/** The process to watch: the command itself, not /usr/bin/time around it. */
function watchedPid(pid: number): number | undefined {
  if (!haveTime) return pid;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? undefined : Number(children.split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * Runs one process under /usr/bin/time (peak RSS and CPU from the kernel's rusage), polling its
 * private memory (RssAnon: its own pages, without the node binary and libraries it shares).
 */
function runMeasured(job: Job, scratch: string, index: number): Promise<Omit<Measured, 'wallS'>> {
  const timeFile = join(scratch, `time-${index}.txt`);
  const out = openSync(job.stdout, 'w');
  const err = openSync(job.stderr, 'w');
  const [command, ...args] = haveTime ? [TIME, '-f', '%M %U %S %x', '-o', timeFile, ...job.argv] : job.argv;
  const child = spawn(command!, args, { stdio: ['ignore', out, err], env: { ...process.env, ...job.env } });
  closeSync(out);
  closeSync(err);
  let hwmKiB = 0; // without /usr/bin/time: VmHWM polled (the last 20 ms may be missed)
  let anonKiB = 0;
  let pid: number | undefined;
  const poll = setInterval(() => {
    pid ??= watchedPid(child.pid!);
    if (pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      hwmKiB = Math.max(hwmKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      anonKiB = Math.max(anonKiB, Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // exited
    }
  }, 20);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) => {
      clearInterval(poll);
      const privateMiB = anonKiB / 1024;
      if (!haveTime) return done({ peakRssMiB: hwmKiB / 1024, privateMiB, cpuS: NaN, status: code });
      const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
      done({ peakRssMiB: Number(fields[0]) / 1024, privateMiB, cpuS: Number(fields[1]) + Number(fields[2]), status: Number(fields[3]) });
    });
  });
}

/** Runs jobs side by side; the wall time is until the last one exits. */
async function measure(jobs: readonly Job[], scratch: string): Promise<Measured> {
  const started = process.hrtime.bigint();
  const results = await Promise.all(jobs.map((job, i) => runMeasured(job, scratch, i)));
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    wallS,
    peakRssMiB: results.reduce((sum, r) => sum + r.peakRssMiB, 0),
    privateMiB: results.reduce((sum, r) => sum + r.privateMiB, 0),
    cpuS: results.reduce((sum, r) => sum + r.cpuS, 0),
    status: results.find((r) => r.status !== 0)?.status ?? 0,
  };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Throughput

/** A 100-byte line with some multi-byte text (é is 2 bytes, € 3). */
function benchLine(): string {
  const head = 'runloop-tail bench é€ ';
  const line = head + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3);
  const bytes = Buffer.from(line, 'utf8').subarray(0, LINE_BYTES - 1).toString('utf8');
  if (Buffer.byteLength(bytes) !== LINE_BYTES - 1) throw new Error('bench line is not 99 bytes');
  return bytes;
}

interface Row {
  readonly name: string;
  readonly runs: Measured[];
  readonly note: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Latency

interface LatencyFigures {
  readonly name: string;
  readonly lines: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Collects each stamped line's latency from a follower's output text. */
function latencyCollector(latencies: number[], warmupSeq: number) {
  let partial = '';
  return (text: string) => {
    const now = process.hrtime.bigint();
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^lat (\d+) (\d+)/.exec(line);
      if (!match) continue;
      if (Number(match[1]) < warmupSeq) continue;
      latencies.push(Number(now - BigInt(match[2]!)) / 1e6);
    }
  };
}

/** Turns an SSE body into the outputs of its events. */
function sseOutputs(onOutput: (text: string) => void) {
  let partial = '';
  return (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('data:')) onOutput((JSON.parse(line.slice(5)) as { output: string }).output);
    }
  };
}

async function latencyRun(serve: Serve, cli: string, sdkFollower: string, seconds: number, skipSdk: boolean): Promise<LatencyFigures[]> {
  const warmupMs = 1500;
  const count = Math.round((seconds * 1000) / 10);
  // Stamps with process.hrtime (CLOCK_MONOTONIC: one clock for every process on the machine).
  const writer =
    `setTimeout(() => { let seq = 0; const t = setInterval(() => {` +
    ` process.stdout.write('lat ' + seq + ' ' + process.hrtime.bigint() + ' ' + 'x'.repeat(60) + '\\n');` +
    ` if (++seq === ${count}) clearInterval(t); }, 10); }, ${warmupMs});`;
  const executionId = await execute(serve, `'${process.execPath}' -e "${writer}"`);
  const env = { ...process.env, RUNLOOP_API_KEY: serve.apiKey, RUNLOOP_BASE_URL: serve.url };
  const followers: { name: string; child: ChildProcess; latencies: number[] }[] = [];
  const warmupSeq = 10;

  const curlLatencies: number[] = [];
  const curl = spawn('curl', ['-sN', '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, executionId, 'stdout')], { stdio: ['ignore', 'pipe', 'inherit'] });
  curl.stdout!.on('data', sseOutputs(latencyCollector(curlLatencies, warmupSeq)));
  followers.push({ name: 'curl -N', child: curl, latencies: curlLatencies });

  const rtLatencies: number[] = [];
  const rt = spawn(process.execPath, [cli, 'dbx_local', executionId], { stdio: ['ignore', 'pipe', 'inherit'], env });
  rt.stdout!.setEncoding('utf8').on('data', latencyCollector(rtLatencies, warmupSeq));
  followers.push({ name: 'runloop-tail', child: rt, latencies: rtLatencies });

  if (!skipSdk) {
    const sdkLatencies: number[] = [];
    const sdk = spawn(process.execPath, [sdkFollower, serve.url, 'dbx_local', executionId], { stdio: ['ignore', 'pipe', 'inherit'], env });
    sdk.stdout!.setEncoding('utf8').on('data', latencyCollector(sdkLatencies, warmupSeq));
    followers.push({ name: 'SDK follower', child: sdk, latencies: sdkLatencies });
  }
  await Promise.all(followers.map(({ child }) => new Promise((done) => child.on('close', done))));
  return followers.map(({ name, latencies }) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return { name, lines: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? NaN };
  });
}

function streamUrl(serve: Serve, executionId: string, stream: 'stdout' | 'stderr'): string {
  return `${serve.url}/v1/devboxes/dbx_local/executions/${executionId}/stream_${stream}_updates?offset=0`;
}

// ---------------------------------------------------------------------------------------------

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

async function main(): Promise<void> {
  const args = parse();
  const cli = resolve('bin/runloop-tail.js');
  const sdkFollower = resolve('bench/bench-sdk-follower.mjs');
  const nodeFloor = resolve('bench/bench-node-floor.mjs');
  if (!existsSync(resolve('dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const scratchRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const scratch = await mkdtemp(join(scratchRoot, 'runloop-tail-bench-'));
  const dataDir = join(scratch, 'serve');
  const serve = await startServe(cli, dataDir);
  const log = (line: string) => console.log(line);
  try {
    log(`bench: ${machine()}; scratch ${scratch}${haveTime ? '' : ' (no /usr/bin/time: RSS polled from /proc)'}`);
    const total = args.sizeMiB * MiB;
    const stdoutLines = Math.floor((total * 0.75) / LINE_BYTES);
    const stderrLines = Math.floor((total * 0.25) / LINE_BYTES);
    const line = benchLine();
    const generated = process.hrtime.bigint();
    const executionId = await execute(serve, `yes '${line}' | head -n ${stdoutLines}; yes '${line}' | head -n ${stderrLines} >&2`);
    await waitCompleted(serve, executionId);
    const files = { stdout: join(dataDir, 'executions', executionId, 'stdout.log'), stderr: join(dataDir, 'executions', executionId, 'stderr.log') };
    const sizes = { stdout: statSync(files.stdout).size, stderr: statSync(files.stderr).size };
    const payload = sizes.stdout + sizes.stderr;
    if (sizes.stdout !== stdoutLines * LINE_BYTES || sizes.stderr !== stderrLines * LINE_BYTES) throw new Error(`unexpected output sizes ${JSON.stringify(sizes)}`);
    const expected = { stdout: await sha256(files.stdout), stderr: await sha256(files.stderr) };
    log(`bench: execution ${executionId}: ${fixed(sizes.stdout / MiB, 1)} MiB stdout + ${fixed(sizes.stderr / MiB, 1)} MiB stderr, written in ${fixed(Number(process.hrtime.bigint() - generated) / 1e9, 1)} s`);

    const out = (name: string) => ({ stdout: join(scratch, `${name}.out`), stderr: join(scratch, `${name}.err`) });
    const env = { RUNLOOP_API_KEY: serve.apiKey, RUNLOOP_BASE_URL: serve.url };
    const followers: { name: string; jobs: () => Job[]; check: (o: { stdout: string; stderr: string }[]) => Promise<string> }[] = [
      {
        name: 'curl -N (both streams)',
        jobs: () =>
          (['stdout', 'stderr'] as const).map((stream) => ({
            argv: ['curl', '-sN', '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, executionId, stream)],
            ...out(`curl-${stream}`),
          })),
        check: async ([stdout, stderr]) => {
          // The SSE body: complete when its last event carries the stream's final offset.
          for (const [stream, file] of [['stdout', stdout!.stdout], ['stderr', stderr!.stdout]] as const) {
            const body = statSync(file).size;
            const tail = (await readFile(file)).subarray(-200).toString('utf8');
            if (!tail.includes(`"offset":${sizes[stream]}}`)) return `curl ${stream} ended early (${body} bytes of SSE)`;
          }
          return `SSE bodies ${fixed((statSync(stdout!.stdout).size + statSync(stderr!.stdout).size) / MiB, 1)} MiB`;
        },
      },
      {
        name: 'runloop-tail',
        jobs: () => [{ argv: [process.execPath, cli, 'dbx_local', executionId, '--max-retries', '50'], ...out('rt'), env }],
        check: async ([o]) => {
          const got = { stdout: await sha256(o!.stdout), stderr: await sha256(o!.stderr) };
          if (got.stdout !== expected.stdout || got.stderr !== expected.stderr) return 'OUTPUT DIFFERS';
          return 'byte-exact';
        },
      },
    ];
    followers.push({
      name: 'Node floor (no offsets, no retries)',
      jobs: () => [{ argv: [process.execPath, nodeFloor, serve.url, 'dbx_local', executionId], ...out('floor'), env }],
      check: async ([o]) => {
        const got = { stdout: await sha256(o!.stdout), stderr: await sha256(o!.stderr) };
        return got.stdout === expected.stdout && got.stderr === expected.stderr ? 'byte-exact' : 'OUTPUT DIFFERS';
      },
    });
    if (!args.skipSdk) {
      followers.push({
        name: 'SDK follower',
        jobs: () => [{ argv: [process.execPath, sdkFollower, serve.url, 'dbx_local', executionId], ...out('sdk'), env }],
        check: async ([o]) => {
          const got = { stdout: await sha256(o!.stdout), stderr: await sha256(o!.stderr) };
          if (got.stdout !== expected.stdout || got.stderr !== expected.stderr) return `OUTPUT DIFFERS (${statSync(o!.stdout).size} + ${statSync(o!.stderr).size} bytes)`;
          return 'byte-exact';
        },
      });
    }

    // The server's first megabytes are slower (its code is not optimised yet): warm it up on a
    // small execution first, so whichever follower goes first does not pay for it.
    const warmup = await execute(serve, `yes '${line}' | head -n ${Math.floor((16 * MiB) / LINE_BYTES)}; yes '${line}' | head -n 1000 >&2`);
    await waitCompleted(serve, warmup);
    await measure(
      (['stdout', 'stderr'] as const).map((stream) => ({
        argv: ['curl', '-sN', '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, warmup, stream)],
        stdout: '/dev/null',
        stderr: '/dev/null',
      })),
      scratch,
    );

    const rows: Row[] = [];
    for (const follower of followers) rows.push({ name: follower.name, runs: [], note: '' });
    const serverCpu: Record<string, number[]> = {};
    for (let r = 0; r < args.repeat; r++) {
      // A different follower goes first in each round, so none always runs on a cold cache.
      const order = followers.map((_, i) => (i + r) % followers.length);
      for (const i of order) {
        const follower = followers[i]!;
        const jobs = follower.jobs();
        const serverBefore = cpuSecondsOf(serve.child.pid!);
        const measured = await measure(jobs, scratch);
        (serverCpu[follower.name] ??= []).push(cpuSecondsOf(serve.child.pid!) - serverBefore);
        const note = measured.status === 0 ? await follower.check(jobs) : `exit status ${measured.status}`;
        const row = rows[i]!;
        row.runs.push(measured);
        rows[i] = { ...row, note };
        log(
          `bench: ${follower.name}: ${fixed(measured.wallS)} s, ${fixed(payload / MiB / measured.wallS, 1)} MiB/s, ` +
            `peak RSS ${fixed(measured.peakRssMiB, 1)} MiB (private ${fixed(measured.privateMiB, 1)}), CPU ${fixed(measured.cpuS)} s, server CPU ${fixed(serverCpu[follower.name]!.at(-1)!)} s; ${note}`,
        );
        for (const job of jobs) await Promise.all([rm(job.stdout, { force: true }), rm(job.stderr, { force: true })]);
      }
    }

    const summary = rows.map((row) => ({
      name: row.name,
      wallS: median(row.runs.map((m) => m.wallS)),
      peakRssMiB: median(row.runs.map((m) => m.peakRssMiB)),
      maxRssMiB: Math.max(...row.runs.map((m) => m.peakRssMiB)),
      privateMiB: median(row.runs.map((m) => m.privateMiB)),
      cpuS: median(row.runs.map((m) => m.cpuS)),
      serverCpuS: median(serverCpu[row.name] ?? [NaN]),
      note: row.note,
    }));
    let latency: LatencyFigures[] = [];
    if (!args.skipLatency) latency = await latencyRun(serve, cli, sdkFollower, args.latencySeconds, args.skipSdk);

    log('');
    log(`${fixed(payload / MiB, 1)} MiB (${sizes.stdout} bytes stdout + ${sizes.stderr} bytes stderr), medians of ${args.repeat} run(s); ${machine()}`);
    log('');
    log('| follower | wall s | MiB/s | peak RSS MiB | (max) | private MiB | CPU s | server CPU s | output |');
    log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const row of summary) {
      log(
        `| ${row.name} | ${fixed(row.wallS)} | ${fixed(payload / MiB / row.wallS, 1)} | ${fixed(row.peakRssMiB, 1)} | ${fixed(row.maxRssMiB, 1)} | ${fixed(row.privateMiB, 1)} | ` +
          `${fixed(row.cpuS)} | ${fixed(row.serverCpuS)} | ${row.note} |`,
      );
    }
    const byName = (prefix: string) => summary.find((row) => row.name.startsWith(prefix));
    const rt = byName('runloop-tail');
    const curl = byName('curl');
    const sdk = byName('SDK');
    log('');
    const floor = byName('Node floor');
    if (floor && curl) log(`Node floor / curl:   wall ${fixed(floor.wallS / curl.wallS)}×, CPU ${fixed(floor.cpuS / curl.cpuS, 1)}×`);
    if (rt && floor) log(`runloop-tail / Node floor: wall ${fixed(rt.wallS / floor.wallS)}×, CPU ${fixed(rt.cpuS / floor.cpuS)}×, private memory ${fixed(rt.privateMiB / floor.privateMiB)}×`);
    if (rt && curl) log(`runloop-tail / curl: wall ${fixed(rt.wallS / curl.wallS)}× (goal ≤ 1.25×), peak RSS ${fixed(rt.peakRssMiB / curl.peakRssMiB, 1)}×`);
    if (rt && sdk) log(`runloop-tail / SDK:  wall ${fixed(rt.wallS / sdk.wallS)}× (goal ≤ 0.25×), peak RSS ${fixed(rt.peakRssMiB / sdk.peakRssMiB)}×`);
    if (sdk && curl) log(`SDK / curl:          wall ${fixed(sdk.wallS / curl.wallS)}×, peak RSS ${fixed(sdk.peakRssMiB / curl.peakRssMiB, 1)}×`);
    if (rt) log(`runloop-tail peak RSS ${fixed(rt.peakRssMiB, 1)} MiB, at most ${fixed(rt.maxRssMiB, 1)} (goal ≤ 64 MiB)`);
    if (latency.length > 0) {
      log('');
      log(`delivery latency, command write → follower output, one stamped line every 10 ms for ${args.latencySeconds} s:`);
      log('');
      log('| follower | lines | p50 ms | p99 ms | max ms |');
      log('| --- | ---: | ---: | ---: | ---: |');
      for (const row of latency) log(`| ${row.name} | ${row.lines} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${fixed(row.maxMs, 1)} |`);
      const curlLatency = latency.find((row) => row.name.startsWith('curl'));
      const rtLatency = latency.find((row) => row.name === 'runloop-tail');
      if (curlLatency && rtLatency) {
        log('');
        log(`runloop-tail's own share (minus curl's): p50 ${fixed(rtLatency.p50Ms - curlLatency.p50Ms, 1)} ms, p99 ${fixed(rtLatency.p99Ms - curlLatency.p99Ms, 1)} ms`);
      }
    }
    if (args.json !== undefined) {
      writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine: machine(), sizeMiB: payload / MiB, repeat: args.repeat, summary, latency }, null, 2));
    }
    const failed = summary.some((row) => row.note.includes('DIFFERS') || row.note.includes('exit status') || row.note.includes('early'));
    if (failed) process.exitCode = 1;
  } finally {
    serve.child.kill('SIGTERM');
    await new Promise((done) => serve.child.once('exit', done));
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
