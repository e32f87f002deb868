/**
 * One execution: a real `/bin/sh -c` process in its own process group, writing straight to its
 * output files, going queued → running → completed. With `attach_stdin` its stdin is a pipe that
 * send_std_in writes to; otherwise it reads nothing (/dev/null).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import type { ExecutionStatus, StreamName } from '../api/wire.js';
import { OutputFiles } from './output-store.js';

/** What creating an execution needs. */
export interface ExecutionSpec {
  readonly id: string;
  readonly devboxId: string;
  /** The command as the client sent it. */
  readonly command: string;
  readonly shellName: string | null;
  /** Whether the child's stdin is a pipe fed by send_std_in. */
  readonly attachStdin: boolean;
  /** Where stdout.log and stderr.log go. */
  readonly outputDir: string;
}

/** How to run it once its turn has come (a named shell runs one command at a time). */
export interface ProcessSpec {
  /** The script for `/bin/sh -c` (the command, possibly wrapped to keep a named shell's state). */
  readonly script: string;
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Raised by the stdin calls when the execution cannot take stdin; the route answers 400. */
export class StdinError extends Error {
  override readonly name = 'StdinError';
}

/** The exit status a shell would report: the code, or 128 + the signal's number. */
export function shellExitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 255;
}

/** A queued, running or finished execution. */
export class Execution {
  readonly id: string;
  readonly devboxId: string;
  readonly command: string;
  readonly shellName: string | null;
  readonly attachStdin: boolean;
  readonly output: OutputFiles;
  status: ExecutionStatus = 'queued';
  exitStatus: number | null = null;
  /** The stream connections opened so far for each stream (the fault plan's connection index). */
  readonly connectionCounts: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  /** Resolves once the execution has completed and its final lengths are known. */
  readonly completed: Promise<void>;

  private child: ChildProcess | undefined;
  private stdin: Writable | undefined;
  /** EOF was asked for: no more text is taken. */
  private stdinEnded = false;
  private finalLengths: Record<StreamName, number> | undefined;
  /** Whether processes of the group outlived the shell (background jobs), checked at completion. */
  private leftovers = false;
  private killTimer: NodeJS.Timeout | undefined;
  private markCompleted: () => void = () => undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(spec: ExecutionSpec) {
    this.id = spec.id;
    this.devboxId = spec.devboxId;
    this.command = spec.command;
    this.shellName = spec.shellName;
    this.attachStdin = spec.attachStdin;
    this.output = new OutputFiles(spec.outputDir);
    this.completed = new Promise((resolve) => (this.markCompleted = resolve));
  }

  /** Creates the (empty) output files of a queued execution; `run` starts it. */
  static async create(spec: ExecutionSpec): Promise<Execution> {
    const execution = new Execution(spec);
    const files = await execution.output.openForChild();
    await Promise.all([files.stdout.close(), files.stderr.close()]);
    return execution;
  }

  /** Spawns the command, unless the execution was cancelled while it waited. */
  async run(spec: ProcessSpec): Promise<void> {
    if (this.status !== 'queued' || this.exitStatus !== null) return;
    const files = await this.output.openForChild();
    try {
      if (this.status !== 'queued' || this.exitStatus !== null) return; // cancelled meanwhile
      // detached: its own process group, so kill and INTERRUPT reach the whole pipeline (kill(-pid)).
      const child = spawn('/bin/sh', ['-c', spec.script], {
        cwd: spec.workDir,
        env: spec.env,
        detached: true,
        stdio: [this.attachStdin ? 'pipe' : 'ignore', files.stdout.fd, files.stderr.fd],
      });
      this.child = child;
      if (child.stdin !== null) {
        // EPIPE when the command exits or closes its stdin: the pending write fails, not the server.
        child.stdin.on('error', () => undefined);
        this.stdin = child.stdin;
        if (this.stdinEnded) child.stdin.end();
      }
      child.once('spawn', () => {
        if (this.status !== 'queued') return;
        this.status = 'running';
        this.notify();
      });
      child.once('exit', (code, signal) => void this.complete(shellExitStatus(code, signal)));
      child.once('error', (error) => {
        // Only a failed spawn lands here without an exit; report it as a shell would.
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) return;
        void appendFile(this.output.path('stderr'), `sh: ${error.message}\n`).finally(() => this.complete(127));
      });
    } finally {
      // The child holds its own copies of the fds.
      await Promise.all([files.stdout.close(), files.stderr.close()]);
    }
  }

  /** Completes a queued execution without running it (killed or interrupted while it waited). */
  cancel(exitStatus: number): void {
    if (this.status === 'queued' && this.child === undefined) void this.complete(exitStatus);
  }

  private async complete(exitStatus: number): Promise<void> {
    if (this.finalLengths !== undefined || this.exitStatus !== null) return;
    this.exitStatus = exitStatus;
    clearTimeout(this.killTimer);
    // Freeze the lengths at exit: bytes a left-over background process writes later are not part of it.
    const [stdout, stderr] = await Promise.all([this.output.size('stdout'), this.output.size('stderr')]);
    this.finalLengths = { stdout, stderr };
    this.leftovers = this.signal(0);
    this.status = 'completed';
    this.markCompleted();
    this.notify();
  }

  /** Calls `listener` on every status change until the returned function is called. */
  onStatusChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once the execution is no longer queued, or when `signal` aborts. */
  whenStarted(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        unsubscribe();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const unsubscribe = this.onStatusChange(() => {
        if (this.status !== 'queued') done();
      });
      signal.addEventListener('abort', done, { once: true });
      if (this.status !== 'queued' || signal.aborted) done();
    });
  }

  /** Why stdin cannot be used now, or undefined when it can. */
  private stdinProblem(): string | undefined {
    if (!this.attachStdin) return `execution ${this.id} was not started with attach_stdin`;
    if (this.status === 'completed') return `execution ${this.id} has completed`;
    return undefined;
  }

  /**
   * Writes text to the command's stdin; resolves once the pipe has taken it (so a command that
   * does not read holds the sender back). Throws StdinError when stdin is not there or closed.
   */
  writeStdin(text: string): Promise<void> {
    const problem = this.stdinProblem() ?? (this.stdinEnded ? `the stdin of execution ${this.id} was closed (EOF)` : undefined);
    if (problem !== undefined) return Promise.reject(new StdinError(problem));
    const stdin = this.stdin;
    if (stdin === undefined || stdin.destroyed || !stdin.writable) {
      return Promise.reject(new StdinError(`the stdin of execution ${this.id} is closed`));
    }
    return new Promise((resolve, reject) => {
      stdin.write(text, 'utf8', (error) => {
        if (error) reject(new StdinError(`the command of execution ${this.id} no longer reads its stdin (${error.message})`));
        else resolve();
      });
    });
  }

  /** Closes the command's stdin (EOF) after what was written; a second EOF is a no-op. */
  endStdin(): void {
    const problem = this.stdinProblem();
    if (problem !== undefined) throw new StdinError(problem);
    this.stdinEnded = true;
    this.stdin?.end();
  }

  /**
   * SIGINT to the process group (Ctrl-C); a queued execution is cancelled as a shell reports SIGINT (130).
   * One signal, as a terminal sends: like Ctrl-C it can be lost by dash itself, which catches SIGINT
   * under `-c` and holds it while forking, so a child that gets it before its execve drops it
   * (`echo ready; sleep 600` interrupted just after "ready" kept sleeping in 8 of 100 runs). Not
   * resent: a command's INT trap must run once.
   */
  interrupt(): void {
    const problem = this.stdinProblem();
    if (problem !== undefined) throw new StdinError(problem);
    if (this.child === undefined) this.cancel(shellExitStatus(null, 'SIGINT'));
    else this.signal('SIGINT');
  }

  /** The final byte length of a stream once completed; undefined while the execution runs. */
  finalLength(stream: StreamName): number | undefined {
    return this.finalLengths?.[stream];
  }

  /** The byte length of a stream now: the final length once completed, else the file's size. */
  async length(stream: StreamName): Promise<number> {
    return this.finalLength(stream) ?? (await this.output.size(stream));
  }

  /** True until the shell has exited. */
  get isRunning(): boolean {
    return this.status !== 'completed';
  }

  /**
   * Whether the process group may still hold processes: the shell runs, or background processes
   * were still there when it exited. (A group id that is long gone may belong to someone else.)
   */
  get mayHaveProcesses(): boolean {
    return (this.isRunning && this.child !== undefined) || this.leftovers;
  }

  /** Sends `signal` (0 = only check) to the execution's process group; true if it was delivered. */
  signal(signal: NodeJS.Signals | 0): boolean {
    const pid = this.child?.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false; // ESRCH: the group is gone already
    }
  }

  /** SIGTERM to the process group, then SIGKILL after `graceMs` if it has not completed; a queued one is cancelled (143). */
  kill(graceMs: number): void {
    if (this.child === undefined) return this.cancel(shellExitStatus(null, 'SIGTERM'));
    if (!this.isRunning || this.killTimer !== undefined) return;
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.isRunning) this.signal('SIGKILL');
    }, graceMs);
  }
}
