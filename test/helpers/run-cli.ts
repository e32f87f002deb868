import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PATIENCE_MS } from './wait.js';

/** The built CLI entry (npm test builds it before vitest runs). */
export const cliPath = fileURLToPath(new URL('../../bin/runloop-tail.js', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface CliOptions {
  /** Environment for the child; PATH and HOME are inherited, nothing else unless given. */
  readonly env?: Record<string, string | undefined>;
  readonly input?: string | Buffer;
  /** Kill the child (SIGKILL) and reject after this long. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Options for node itself, before the CLI's path (`--no-expose-wasm`). */
  readonly nodeArgs?: readonly string[];
}

/** A minimal, predictable environment: no colour forcing, no CI, no key from the developer's shell. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Starts the CLI as a child process. */
export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], {
    env: options.env ?? baseEnv(),
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a started child's output and waits for it to exit, within a time-out. */
export function collect(child: ChildProcess, options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? PATIENCE_MS;
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `CLI did not exit within ${timeoutMs} ms; stderr so far: ${Buffer.concat(stderr).toString().slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
  });
}

/** Runs the CLI to its end and returns its status and output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(startCli(args, options), options);
}

/** Resolves once `predicate` holds for the child's accumulated stderr (or stdout), within a time-out. */
export function waitForOutput(
  child: ChildProcess,
  which: 'stdout' | 'stderr',
  predicate: (text: string) => boolean,
  timeoutMs = PATIENCE_MS,
): Promise<string> {
  const stream = which === 'stdout' ? child.stdout : child.stderr;
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream?.off('data', onData);
      reject(new Error(`no matching ${which} within ${timeoutMs} ms; got: ${text.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (predicate(text)) {
        clearTimeout(timer);
        stream?.off('data', onData);
        resolve(text);
      }
    };
    stream?.on('data', onData);
  });
}
