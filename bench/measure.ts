/**
 * Measuring one follower process from outside: wall time, CPU (user + system, from the kernel's
 * rusage through /usr/bin/time), peak RSS (rusage's maxrss: the kernel's VmHWM of the process) and
 * peak private memory (RssAnon, polled from /proc), and its exit status.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

/** Whether /usr/bin/time is here; without it CPU is unknown and peak RSS is polled. */
export const haveTime = existsSync(TIME);

export interface Measured {
  readonly wallS: number;
  /** Peak resident set, MiB (summed over processes run together). */
  readonly peakRssMiB: number;
  /** Peak private (anonymous) resident memory, polled every 20 ms, MiB (summed). */
  readonly privateMiB: number;
  /** User + system CPU, seconds (summed). */
  readonly cpuS: number;
  /** Each process's exit status, in the order of the jobs (null: killed by a signal). */
  readonly statuses: readonly (number | null)[];
}

export interface Job {
  readonly argv: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly env?: Record<string, string>;
}

/** CPU time (utime + stime) of a running process, seconds. */
export function cpuSecondsOf(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

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
 * The environment every follower starts from: the benchmark's own, without NODE_EXTRA_CA_CERTS.
 * Node reads and parses that file at start-up, before any code of a follower runs, and curl never
 * reads it: on a machine that points it at its whole CA bundle (the one these figures come from),
 * every node follower paid ~40 ms of wall and CPU per start for the machine's setting (`node -e 0`:
 * 0.11-0.17 s with it, 0.06-0.10 s without). A round that needs a CA (HTTPS) gives its own.
 */
export function followerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (extra.NODE_EXTRA_CA_CERTS === undefined) delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Runs one process under /usr/bin/time, polling its private memory. */
function runMeasured(job: Job, scratch: string, index: number): Promise<Omit<Measured, 'wallS' | 'statuses'> & { status: number | null }> {
  const timeFile = join(scratch, `time-${index}.txt`);
  const out = openSync(job.stdout, 'w');
  const err = openSync(job.stderr, 'w');
  const [command, ...args] = haveTime ? [TIME, '-f', '%M %U %S %x', '-o', timeFile, ...job.argv] : job.argv;
  const child = spawn(command!, args, { stdio: ['ignore', out, err], env: followerEnv(job.env) });
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
      // /usr/bin/time writes "Command exited with non-zero status N" first when the status is not 0.
      const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
      done({ peakRssMiB: Number(fields[0]) / 1024, privateMiB, cpuS: Number(fields[1]) + Number(fields[2]), status: code === null ? null : Number(fields[3]) });
    });
  });
}

/** Runs jobs side by side; the wall time is until the last one exits. */
export async function measure(jobs: readonly Job[], scratch: string): Promise<Measured> {
  const started = process.hrtime.bigint();
  const results = await Promise.all(jobs.map((job, i) => runMeasured(job, scratch, i)));
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    wallS,
    peakRssMiB: results.reduce((sum, r) => sum + r.peakRssMiB, 0),
    privateMiB: results.reduce((sum, r) => sum + r.privateMiB, 0),
    cpuS: results.reduce((sum, r) => sum + r.cpuS, 0),
    statuses: results.map((r) => r.status),
  };
}

/** sha256 of a file, hex. */
export async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
