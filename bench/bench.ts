/**
 * npm run bench -- [--size MiB[,MiB…]] [--repeat N] [--skip-sdk] [--skip-floor] [--skip-latency]
 *                  [--skip-https] [--latency-seconds S] [--json FILE] [--also NAME=path/to/runloop-tail.js …]
 *
 * For each size (default 128, 256 and 1024 MiB, on the same run against the same server), one
 * large execution (3/4 on stdout, 1/4 on stderr, 100-byte lines with multi-byte text, exit status
 * 3), completed, served by `runloop-tail serve` in its own process, and followed in turn by: curl
 * -N on both streams at once (the floor), runloop-tail, the least a Node follower can do
 * (bench-node-floor.mjs) and a follower written with the official SDK. Each follower is its own
 * process with its output in files on tmpfs; /usr/bin/time gives its CPU (user + system) and peak
 * RSS (the kernel's high-water mark), its private memory (RssAnon) is polled from /proc, the wall
 * time is measured here, and the server's CPU is read from /proc.
 *
 * Before any figure of a run is printed, the follower is checked: its stdout and stderr by sha256
 * against what the command wrote (curl's SSE bodies are decoded back into output bytes first), and
 * its exit status against the remote's (curl's against 0: it cannot know the remote's). A follower
 * that fails is printed as FAILED with the reason, never with a time, and the run exits 1.
 *
 * Then once more over HTTPS, one round at the smallest size, against `serve --tls` (its CA
 * trusted through NODE_EXTRA_CA_CERTS and curl --cacert); a server that does not start is
 * reported as a failure (exit 1), --skip-https leaves the run out.
 *
 * --also adds another build of runloop-tail as one more follower (an A/B of a change on the same
 * rounds: copy a build's bin/ and dist/ aside and point at its bin/runloop-tail.js).
 *
 * Ratios are medians of the ratios within each round (followers of one round run back to back, so
 * a busy machine slows them alike), against the goals of issue 17.
 *
 * Then delivery latency: a live command writes a line stamped with the monotonic clock every 10 ms;
 * curl, runloop-tail and the SDK follower follow it at the same time with their output piped here,
 * and each line's arrival time minus its stamp is its latency (same machine, same clock). curl's
 * figures are the server's share (it polls the output file every 20 ms); the difference is the
 * follower's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { cpuSecondsOf, followerEnv, haveTime, measure, sha256, type Job, type Measured } from './measure.js';
import { digestSseBody } from './sse-body.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const LINE_BYTES = 100;
/** The benchmark command's exit status: not 0, so a follower that loses it shows. */
const REMOTE_EXIT_STATUS = 3;

/** Issue 17's goals. */
const GOALS = {
  cpuVsCurl: 2.5,
  wallVsCurl: 1.1,
  cpuVsSdk: 0.35,
  peakRssMiB: 56,
  /** "Flat": the peak at the largest size at most this much above the smallest size's. */
  flatGrowthMiB: 4,
};

interface Args {
  sizesMiB: number[];
  repeat: number;
  latencySeconds: number;
  skipSdk: boolean;
  skipFloor: boolean;
  skipLatency: boolean;
  skipHttps: boolean;
  json: string | undefined;
  also: { name: string; cli: string }[];
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      repeat: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'skip-sdk': { type: 'boolean' },
      'skip-floor': { type: 'boolean' },
      'skip-latency': { type: 'boolean' },
      'skip-https': { type: 'boolean' },
      json: { type: 'string' },
      also: { type: 'string', multiple: true },
    },
  });
  const number = (name: string, value: string | undefined, fallback: number) => {
    const result = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(result) || result <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
    return result;
  };
  const sizes = (values.size ?? '128,256,1024').split(',').map((size) => number('size', size, 128));
  return {
    sizesMiB: [...new Set(sizes)].sort((a, b) => a - b),
    repeat: Math.round(number('repeat', values.repeat, 1)),
    latencySeconds: number('latency-seconds', values['latency-seconds'], 5),
    skipSdk: values['skip-sdk'] ?? false,
    skipFloor: values['skip-floor'] ?? false,
    skipLatency: values['skip-latency'] ?? false,
    skipHttps: values['skip-https'] ?? false,
    json: values.json,
    also: (values.also ?? []).map((spec) => {
      const [name, cli] = spec.split('=');
      if (!name || !cli) throw new Error(`--also needs NAME=path/to/runloop-tail.js, got ${spec}`);
      return { name, cli: resolve(cli) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The server, in its own process

interface Serve {
  readonly url: string;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** With --tls: the file of the CA that signed the server's certificate (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string | undefined;
}

/** The value of an `export NAME=value` line that serve prints, unquoted. */
function exported(line: string, name: string): string | undefined {
  const match = new RegExp(`^export ${name}=(\\S+)$`).exec(line);
  return match?.[1]?.replace(/^'(.*)'$/, '$1');
}

async function startServe(cli: string, dataDir: string, tls = false): Promise<Serve> {
  const apiKey = `bench_${randomBytes(12).toString('hex')}`;
  await mkdir(dataDir, { recursive: true }); // serve --tls writes its CA file there before anything else
  const argv = [cli, 'serve', '--port', '0', '--api-key', apiKey, '--data-dir', dataDir, '--quiet', ...(tls ? ['--tls'] : [])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let url: string | undefined;
  let caFile: string | undefined;
  for await (const line of lines) {
    url ??= exported(line, 'RUNLOOP_BASE_URL');
    caFile ??= exported(line, 'NODE_EXTRA_CA_CERTS');
    // The key comes after the URL, the CA file (with --tls) after the key.
    if (url !== undefined && (!tls || caFile !== undefined)) {
      child.stdout.resume();
      return { url, apiKey, dataDir, child, caFile };
    }
  }
  throw new Error(`serve${tls ? ' --tls' : ''} exited before printing its URL${tls ? ' and CA file' : ''}`);
}

/** One JSON call to the server, over node:http(s) so a server with its own CA can be trusted. */
function api(serve: Serve, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const url = new URL(`${serve.url}${path}`);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolveCall, reject) => {
    const request = send(
      url,
      {
        method,
        headers: { authorization: `Bearer ${serve.apiKey}`, 'content-type': 'application/json' },
        ...(serve.caFile === undefined ? {} : { ca: readFileSync(serve.caFile) }),
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (piece: string) => (text += piece));
        response.on('end', () => {
          const data = JSON.parse(text) as Record<string, unknown>;
          const status = response.statusCode ?? 0;
          if (status === 408 || (status >= 200 && status < 300)) resolveCall(data);
          else reject(new Error(`${method} ${path}: ${status} ${text}`));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function execute(serve: Serve, command: string): Promise<string> {
  const view = await api(serve, 'POST', '/v1/devboxes/dbx_local/execute_async', { command });
  return String(view.execution_id);
}

/** Waits for the execution to complete; its exit status. */
async function waitCompleted(serve: Serve, executionId: string): Promise<number> {
  for (;;) {
    const view = await api(serve, 'POST', `/v1/devboxes/dbx_local/executions/${executionId}/wait_for_status`, { statuses: ['completed'] });
    if (view.status === 'completed') return Number(view.exit_status);
  }
}


// ---------------------------------------------------------------------------------------------
// Throughput

/** A 100-byte line with some multi-byte text (é is 2 bytes, € 3). */

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
  const env = followerEnv({ RUNLOOP_API_KEY: serve.apiKey, RUNLOOP_BASE_URL: serve.url });
  const followers: { name: string; child: ChildProcess; latencies: number[] }[] = [];
  const warmupSeq = 10;

  const curlLatencies: number[] = [];
  const curl = spawn('curl', ['-sN', '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, executionId, 'stdout')], { stdio: ['ignore', 'pipe', 'inherit'] });
  curl.stdout.on('data', sseOutputs(latencyCollector(curlLatencies, warmupSeq)));
  followers.push({ name: 'curl -N', child: curl, latencies: curlLatencies });

  const rtLatencies: number[] = [];
  const rt = spawn(process.execPath, [cli, 'dbx_local', executionId], { stdio: ['ignore', 'pipe', 'inherit'], env });
  rt.stdout.setEncoding('utf8').on('data', latencyCollector(rtLatencies, warmupSeq));
  followers.push({ name: 'runloop-tail', child: rt, latencies: rtLatencies });

  if (!skipSdk) {
    const sdkLatencies: number[] = [];
    const sdk = spawn(process.execPath, [sdkFollower, serve.url, 'dbx_local', executionId], { stdio: ['ignore', 'pipe', 'inherit'], env });
    sdk.stdout.setEncoding('utf8').on('data', latencyCollector(sdkLatencies, warmupSeq));
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


/** A 100-byte line with some multi-byte text (é is 2 bytes, € 3). */
function benchLine(): string {
  const head = 'runloop-tail bench é€ ';
  const line = head + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3);
  const bytes = Buffer.from(line, 'utf8').subarray(0, LINE_BYTES - 1).toString('utf8');
  if (Buffer.byteLength(bytes) !== LINE_BYTES - 1) throw new Error('bench line is not 99 bytes');
  return bytes;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');

// ---------------------------------------------------------------------------------------------
// Throughput

/** What the command wrote, and what every follower must deliver. */
interface Truth {
  readonly executionId: string;
  readonly exitStatus: number;
  readonly sizes: { readonly stdout: number; readonly stderr: number };
  readonly sha256: { readonly stdout: string; readonly stderr: string };
}

/** Whether a follower delivered: `ok` false means no figure of that run may be shown. */
interface Verdict {
  readonly ok: boolean;
  readonly note: string;
}

interface Follower {
  readonly name: string;
  readonly jobs: (truth: Truth) => Job[];
  readonly check: (truth: Truth, jobs: Job[], measured: Measured) => Promise<Verdict>;
}

interface Run extends Measured {
  readonly round: number;
  readonly serverCpuS: number;
  readonly verdict: Verdict;
}

/** The follower's own output files against the truth, and its exit status against the remote's. */
async function checkOutputFiles(truth: Truth, [job]: Job[], measured: Measured): Promise<Verdict> {
  const [status] = measured.statuses;
  if (status !== truth.exitStatus) return { ok: false, note: `exit status ${status}, the remote's is ${truth.exitStatus}` };
  const got = { stdout: await sha256(job!.stdout), stderr: await sha256(job!.stderr) };
  for (const stream of ['stdout', 'stderr'] as const) {
    if (got[stream] !== truth.sha256[stream]) return { ok: false, note: `${stream} differs (${statSync(job![stream]).size} bytes, ${truth.sizes[stream]} expected)` };
  }
  return { ok: true, note: `sha256 ok, exit ${status}` };
}

/** curl's SSE bodies decoded back into output bytes against the truth; curl's status against 0. */
async function checkCurl(truth: Truth, jobs: Job[], measured: Measured): Promise<Verdict> {
  const streams = ['stdout', 'stderr'] as const;
  for (const [i, stream] of streams.entries()) {
    const status = measured.statuses[i];
    if (status !== 0) return { ok: false, note: `curl on ${stream} exited ${status}` };
    const digest = await digestSseBody(jobs[i]!.stdout);
    if (digest.sha256 !== truth.sha256[stream]) return { ok: false, note: `${stream} differs (${digest.bytes} bytes, ${truth.sizes[stream]} expected)` };
    if (digest.lastOffset !== truth.sizes[stream]) return { ok: false, note: `${stream}: last offset ${digest.lastOffset}, ${truth.sizes[stream]} expected` };
  }
  return { ok: true, note: 'sha256 ok (decoded SSE), exit 0' };
}

async function generate(serve: Serve, sizeMiB: number): Promise<Truth> {
  const total = sizeMiB * MiB;
  const stdoutLines = Math.floor((total * 0.75) / LINE_BYTES);
  const stderrLines = Math.floor((total * 0.25) / LINE_BYTES);
  const line = benchLine();
  const executionId = await execute(serve, `yes '${line}' | head -n ${stdoutLines}; yes '${line}' | head -n ${stderrLines} >&2; exit ${REMOTE_EXIT_STATUS}`);
  const exitStatus = await waitCompleted(serve, executionId);
  const files = { stdout: join(serve.dataDir, 'executions', executionId, 'stdout.log'), stderr: join(serve.dataDir, 'executions', executionId, 'stderr.log') };
  const sizes = { stdout: statSync(files.stdout).size, stderr: statSync(files.stderr).size };
  if (sizes.stdout !== stdoutLines * LINE_BYTES || sizes.stderr !== stderrLines * LINE_BYTES) throw new Error(`unexpected output sizes ${JSON.stringify(sizes)}`);
  if (exitStatus !== REMOTE_EXIT_STATUS) throw new Error(`the command exited ${exitStatus}, not ${REMOTE_EXIT_STATUS}`);
  return { executionId, exitStatus, sizes, sha256: { stdout: await sha256(files.stdout), stderr: await sha256(files.stderr) } };
}

/** The figures of one follower at one size: medians over its runs, or why it failed. */
interface Summary {
  readonly name: string;
  readonly failed: string | undefined;
  readonly runs: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly cpuPerGiB: number;
  readonly peakRssMiB: number;
  readonly maxRssMiB: number;
  readonly privateMiB: number;
  readonly serverCpuS: number;
}

function summarise(name: string, runs: readonly Run[], payload: number): Summary {
  const failures = runs.filter((run) => !run.verdict.ok);
  const of = (pick: (run: Run) => number) => median(runs.map(pick));
  return {
    name,
    failed: failures.length === 0 ? undefined : `${failures.length} of ${runs.length} runs: ${[...new Set(failures.map((run) => run.verdict.note))].join('; ')}`,
    runs: runs.length,
    wallS: of((run) => run.wallS),
    cpuS: of((run) => run.cpuS),
    cpuPerGiB: of((run) => run.cpuS / (payload / GiB)),
    peakRssMiB: of((run) => run.peakRssMiB),
    maxRssMiB: Math.max(...runs.map((run) => run.peakRssMiB)),
    privateMiB: of((run) => run.privateMiB),
    serverCpuS: of((run) => run.serverCpuS),
  };
}

/** The median over rounds of `pick(a) / pick(b)`, using only rounds where both delivered; NaN if none. */
function roundRatio(a: readonly Run[], b: readonly Run[], pick: (run: Run) => number): number {
  const ratios: number[] = [];
  for (const run of a) {
    const other = b.find((candidate) => candidate.round === run.round);
    if (run.verdict.ok && other?.verdict.ok) ratios.push(pick(run) / pick(other));
  }
  return median(ratios);
}

interface SizeResult {
  readonly sizeMiB: number;
  readonly payload: number;
  readonly truth: Truth;
  readonly runs: Map<string, Run[]>;
  readonly summary: Summary[];
}

const RT = 'runloop-tail';
const CURL = 'curl -N (both streams)';
const FLOOR = 'Node floor (no offsets, no retries)';
const SDK = 'SDK follower';


interface Paths {
  readonly cli: string;
  readonly sdkFollower: string;
  readonly nodeFloor: string;
  readonly scratch: string;
}

/** The followers of one server: curl, runloop-tail, the --also builds, the Node floor, the SDK. */
function followersFor(serve: Serve, args: Args, paths: Paths): Follower[] {
  const { cli, sdkFollower, nodeFloor, scratch } = paths;
  const out = (name: string) => ({ stdout: join(scratch, `${name}.out`), stderr: join(scratch, `${name}.err`) });
  const env: Record<string, string> = { RUNLOOP_API_KEY: serve.apiKey, RUNLOOP_BASE_URL: serve.url };
  if (serve.caFile !== undefined) env.NODE_EXTRA_CA_CERTS = serve.caFile;
  const followers: Follower[] = [
    {
      name: CURL,
      jobs: (truth) =>
        (['stdout', 'stderr'] as const).map((stream) => ({
          argv: ['curl', '-sN', ...(serve.caFile === undefined ? [] : ['--cacert', serve.caFile]), '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, truth.executionId, stream)],
          ...out(`curl-${stream}`),
        })),
      check: checkCurl,
    },
    {
      name: RT,
      jobs: (truth) => [{ argv: [process.execPath, cli, 'dbx_local', truth.executionId, '--max-retries', '50'], ...out('rt'), env }],
      check: checkOutputFiles,
    },
  ];
  for (const other of args.also) {
    followers.push({
      name: other.name,
      jobs: (truth) => [{ argv: [process.execPath, other.cli, 'dbx_local', truth.executionId, '--max-retries', '50'], ...out(`also-${other.name.replace(/\W/g, "_")}`), env }],
      check: checkOutputFiles,
    });
  }
  if (!args.skipFloor) {
    followers.push({
      name: FLOOR,
      jobs: (truth) => [{ argv: [process.execPath, nodeFloor, serve.url, 'dbx_local', truth.executionId], ...out('floor'), env }],
      check: checkOutputFiles,
    });
  }
  if (!args.skipSdk) {
    followers.push({
      name: SDK,
      jobs: (truth) => [{ argv: [process.execPath, sdkFollower, serve.url, 'dbx_local', truth.executionId], ...out('sdk'), env }],
      check: checkOutputFiles,
    });
  }

  return followers;
}

/** Generates one execution of `sizeMiB` and runs every follower on it `repeat` times. */
async function runSize(serve: Serve, followers: readonly Follower[], sizeMiB: number, repeat: number, scratch: string, log: (line: string) => void, loads: string[]): Promise<SizeResult> {
  const generated = process.hrtime.bigint();
  const truth = await generate(serve, sizeMiB);
  const payload = truth.sizes.stdout + truth.sizes.stderr;
  log(
    `bench: ${sizeMiB} MiB${serve.caFile === undefined ? '' : ' over HTTPS'}, execution ${truth.executionId}: ${fixed(truth.sizes.stdout / MiB, 1)} MiB stdout + ${fixed(truth.sizes.stderr / MiB, 1)} MiB stderr, ` +
      `exit ${truth.exitStatus}, written in ${fixed(Number(process.hrtime.bigint() - generated) / 1e9, 1)} s`,
  );
  const runs = new Map<string, Run[]>(followers.map((follower) => [follower.name, []]));
  for (let round = 0; round < repeat; round++) {
    // A different follower goes first in each round, so none always runs on a cold cache.
    for (let k = 0; k < followers.length; k++) {
      const follower = followers[(k + round) % followers.length]!;
      const jobs = follower.jobs(truth);
      const serverBefore = cpuSecondsOf(serve.child.pid!);
      const measured = await measure(jobs, scratch);
      const serverCpuS = cpuSecondsOf(serve.child.pid!) - serverBefore;
      const verdict = await follower.check(truth, jobs, measured).catch((error: unknown) => ({ ok: false, note: `check failed: ${String(error)}` }));
      runs.get(follower.name)!.push({ ...measured, round, serverCpuS, verdict });
      if (verdict.ok) {
        log(
          `bench: ${sizeMiB} MiB round ${round + 1} ${follower.name}: ${fixed(measured.wallS)} s wall, CPU ${fixed(measured.cpuS)} s (${fixed(measured.cpuS / (payload / GiB))} s/GiB), ` +
            `peak RSS ${fixed(measured.peakRssMiB, 1)} MiB (private ${fixed(measured.privateMiB, 1)}), server CPU ${fixed(serverCpuS)} s; ${verdict.note}`,
        );
      } else {
        log(`bench: ${sizeMiB} MiB round ${round + 1} ${follower.name}: FAILED: ${verdict.note}`);
      }
      for (const job of jobs) await Promise.all([rm(job.stdout, { force: true }), rm(job.stderr, { force: true })]);
    }
    loads.push(load());
  }
  const result = { sizeMiB, payload, truth, runs, summary: followers.map((follower) => summarise(follower.name, runs.get(follower.name)!, payload)) };
  // The execution's files are no longer needed: give the tmpfs its memory back.
  await rm(join(serve.dataDir, 'executions', truth.executionId), { recursive: true, force: true });
  return result;
}

/** Warms the server up on a small execution, so whichever follower goes first does not pay for it. */
async function warmUp(serve: Serve, scratch: string): Promise<void> {
  const line = benchLine();
  const warmup = await execute(serve, `yes '${line}' | head -n ${Math.floor((16 * MiB) / LINE_BYTES)}; yes '${line}' | head -n 1000 >&2`);
  await waitCompleted(serve, warmup);
  await measure(
    (['stdout', 'stderr'] as const).map((stream) => ({
      argv: ['curl', '-sN', ...(serve.caFile === undefined ? [] : ['--cacert', serve.caFile]), '-H', `Authorization: Bearer ${serve.apiKey}`, streamUrl(serve, warmup, stream)],
      stdout: '/dev/null',
      stderr: '/dev/null',
    })),
    scratch,
  );
}

function printTable(result: SizeResult, log: (line: string) => void, title = ''): void {
  log('');
  log(`### ${result.sizeMiB} MiB${title} (${result.truth.sizes.stdout} bytes stdout + ${result.truth.sizes.stderr} bytes stderr, exit ${result.truth.exitStatus})`);
  log('');
  log('| follower | wall s | CPU s | CPU s/GiB | peak RSS MiB | (max) | private MiB | server CPU s | delivered |');
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of result.summary) {
    if (row.failed !== undefined) {
      log(`| ${row.name} | FAILED | | | | | | | ${row.failed} |`);
      continue;
    }
    log(
      `| ${row.name} | ${fixed(row.wallS)} | ${fixed(row.cpuS)} | ${fixed(row.cpuPerGiB)} | ${fixed(row.peakRssMiB, 1)} | ${fixed(row.maxRssMiB, 1)} | ` +
        `${fixed(row.privateMiB, 1)} | ${fixed(row.serverCpuS)} | sha256 and exit status ok (${row.runs} runs) |`,
    );
  }
}

async function main(): Promise<void> {
  const args = parse();
  const cli = resolve('bin/runloop-tail.js');
  if (!existsSync(resolve('dist/cli.cjs'))) throw new Error('dist/cli.cjs is missing: run `npm run build` first');
  if (!haveTime) throw new Error('/usr/bin/time is missing: CPU time cannot be measured (apt-get install time)');
  const scratchRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const scratch = await mkdtemp(join(scratchRoot, 'runloop-tail-bench-'));
  const paths: Paths = { cli, sdkFollower: resolve('bench/bench-sdk-follower.mjs'), nodeFloor: resolve('bench/bench-node-floor.mjs'), scratch };
  const serve = await startServe(cli, join(scratch, 'serve'));
  let tlsServe: Serve | undefined;
  const log = (line: string) => console.log(line);
  const loads: string[] = [load()];
  try {
    log(`bench: ${machine()}; scratch ${scratch}; load average ${load()}`);
    const followers = followersFor(serve, args, paths);
    await warmUp(serve, scratch);
    const results: SizeResult[] = [];
    for (const sizeMiB of args.sizesMiB) results.push(await runSize(serve, followers, sizeMiB, args.repeat, scratch, log, loads));

    // Once over HTTPS (serve --tls, its CA trusted through NODE_EXTRA_CA_CERTS and curl --cacert).
    let https: SizeResult | undefined;
    let httpsNote: string | undefined;
    if (args.skipHttps) httpsNote = 'HTTPS run skipped (--skip-https)';
    else {
      // Started, not looked up in `serve --help`: a help text is no proof (a fast --help path may
      // print another command's), and a server that does not start is a failure to report.
      tlsServe = await startServe(cli, join(scratch, 'serve-tls'), true).catch((error: unknown) => {
        httpsNote = `HTTPS run FAILED: ${(error as Error).message}`;
        process.exitCode = 1;
        return undefined;
      });
    }
    if (tlsServe !== undefined) {
      await warmUp(tlsServe, scratch);
      https = await runSize(tlsServe, followersFor(tlsServe, args, paths), args.sizesMiB[0]!, 1, scratch, log, loads);
    }

    let latency: LatencyFigures[] = [];
    if (!args.skipLatency) latency = await latencyRun(serve, cli, paths.sdkFollower, args.latencySeconds, args.skipSdk);

    log('');
    log(`${machine()}; medians of ${args.repeat} round(s); load average (1, 5, 15 min) at the start and after each round: ${loads.join(' | ')}`);
    for (const result of results) printTable(result, log);
    if (https) printTable(https, log, ' over HTTPS, one round');
    else log(`\n${httpsNote}`);

    // Ratios and goals, per size; a ratio with a failed follower is not computed.
    const ratio = (result: SizeResult, a: string, b: string, pick: (run: Run) => number) =>
      result.runs.has(a) && result.runs.has(b) ? roundRatio(result.runs.get(a)!, result.runs.get(b)!, pick) : NaN;
    const goal = (value: number, limit: number) => (Number.isFinite(value) ? (value <= limit ? 'met' : '**missed**') : 'n/a');
    const lines: { label: string; values: number[]; limit?: number; unit: string }[] = [
      { label: 'runloop-tail / curl, CPU', values: results.map((r) => ratio(r, RT, CURL, (run) => run.cpuS)), limit: GOALS.cpuVsCurl, unit: '×' },
      { label: 'runloop-tail / curl, wall', values: results.map((r) => ratio(r, RT, CURL, (run) => run.wallS)), limit: GOALS.wallVsCurl, unit: '×' },
      { label: 'runloop-tail / SDK follower, CPU', values: results.map((r) => ratio(r, RT, SDK, (run) => run.cpuS)), limit: GOALS.cpuVsSdk, unit: '×' },
      { label: 'runloop-tail / SDK follower, wall', values: results.map((r) => ratio(r, RT, SDK, (run) => run.wallS)), unit: '×' },
      { label: 'runloop-tail / Node floor, CPU', values: results.map((r) => ratio(r, RT, FLOOR, (run) => run.cpuS)), unit: '×' },
      { label: 'SDK follower / curl, CPU', values: results.map((r) => ratio(r, SDK, CURL, (run) => run.cpuS)), unit: '×' },
    ];
    log('');
    log('### Ratios (median of the per-round ratios) and goals');
    log('');
    log(`| pair | ${results.map((r) => `${r.sizeMiB} MiB`).join(' | ')} | goal |`);
    log(`| --- | ${results.map(() => '---:').join(' | ')} | --- |`);
    for (const row of lines) {
      const verdicts = row.limit === undefined ? '' : `≤ ${row.limit}×: ${row.values.map((value) => goal(value, row.limit!)).join(', ')}`;
      log(`| ${row.label} | ${row.values.map((value) => (Number.isFinite(value) ? `${fixed(value)}${row.unit}` : 'n/a')).join(' | ')} | ${verdicts} |`);
    }
    const rtRows = results.map((r) => r.summary.find((row) => row.name === RT)!);
    const rtPeak = rtRows.map((row) => (row.failed === undefined ? row.peakRssMiB : NaN));
    log(`| runloop-tail peak RSS, MiB (max) | ${rtRows.map((row, i) => `${fixed(rtPeak[i]!, 1)} (${fixed(row.failed === undefined ? row.maxRssMiB : NaN, 1)})`).join(' | ')} | ≤ ${GOALS.peakRssMiB} MiB at 1 GiB |`);
    const largest = results.at(-1)!;
    const smallest = results[0]!;
    const peakLargest = rtPeak.at(-1)!;
    log('');
    if (largest.sizeMiB >= 1024) log(`runloop-tail peak RSS at ${largest.sizeMiB} MiB: ${fixed(peakLargest, 1)} MiB (goal ≤ ${GOALS.peakRssMiB}): ${goal(peakLargest, GOALS.peakRssMiB)}`);
    if (results.length > 1) {
      const growth = peakLargest - rtPeak[0]!;
      log(`runloop-tail peak RSS from ${smallest.sizeMiB} MiB to ${largest.sizeMiB} MiB: ${fixed(rtPeak[0]!, 1)} → ${fixed(peakLargest, 1)} MiB (${growth >= 0 ? '+' : ''}${fixed(growth, 1)}; flat means ≤ +${GOALS.flatGrowthMiB}): ${goal(growth, GOALS.flatGrowthMiB)}`);
    }
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
      const json = results.map((r) => ({ sizeMiB: r.sizeMiB, payload: r.payload, summary: r.summary, runs: Object.fromEntries(r.runs), ratios: Object.fromEntries(lines.map((row) => [row.label, row.values[results.indexOf(r)]])) }));
      writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), machine: machine(), repeat: args.repeat, loads, results: json, https: https?.summary, latency }, null, 2));
    }
    if (https) {
      log('');
      log(`over HTTPS at ${https.sizeMiB} MiB: runloop-tail / curl CPU ${fixed(ratio(https, RT, CURL, (run) => run.cpuS))}×, wall ${fixed(ratio(https, RT, CURL, (run) => run.wallS))}×`);
    }
    if ([...results, ...(https ? [https] : [])].some((r) => r.summary.some((row) => row.failed !== undefined))) {
      log('');
      log('bench: a follower FAILED to deliver (see above): its figures are not shown');
      process.exitCode = 1;
    }
  } finally {
    for (const server of [serve, tlsServe]) {
      if (server === undefined) continue;
      server.child.kill('SIGTERM');
      await new Promise((done) => server.child.once('exit', done));
    }
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
