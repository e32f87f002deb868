/**
 * One execution: a real `/bin/sh -c` process in its own process group, writing straight to its
 * output files, going queued → running → completed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { OutputFiles, type StreamName } from './output-store.js';

export type ExecutionStatus = 'queued' | 'running' | 'completed';

/** What starting an execution needs. */
export interface ExecutionSpec {
  readonly id: string;
  readonly devboxId: string;
  readonly command: string;
  readonly shellName: string | null;
  /** Where stdout.log and stderr.log go. */
  readonly outputDir: string;
  /** The command's working directory (shared by executions of the same shell_name). */
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The exit status a shell would report: the code, or 128 + the signal's number. */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 255;
}

/** A running or finished execution. */
export class Execution {
  readonly id: string;
  readonly devboxId: string;
  readonly command: string;
  readonly shellName: string | null;
  readonly output: OutputFiles;
  status: ExecutionStatus = 'queued';
  exitStatus: number | null = null;
  /** The stream connections opened so far for each stream (the fault plan's connection index). */
  readonly connectionCounts: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  /** Resolves once the execution has completed and its final lengths are known. */
  readonly completed: Promise<void>;

  private child: ChildProcess | undefined;
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
    this.output = new OutputFiles(spec.outputDir);
    this.completed = new Promise((resolve) => (this.markCompleted = resolve));
  }

  /** Creates the output files and spawns the command. */
  static async start(spec: ExecutionSpec): Promise<Execution> {
    const execution = new Execution(spec);
    await execution.spawn(spec);
    return execution;
  }

  private async spawn(spec: ExecutionSpec): Promise<void> {
    const files = await this.output.openForChild();
    try {
      // detached: its own process group, so kill reaches the whole pipeline (kill(-pid)).
      const child = spawn('/bin/sh', ['-c', spec.command], {
        cwd: spec.workDir,
        env: spec.env,
        detached: true,
        stdio: ['ignore', files.stdout.fd, files.stderr.fd],
      });
      this.child = child;
      child.once('spawn', () => {
        if (this.status !== 'queued') return;
        this.status = 'running';
        this.notify();
      });
      child.once('exit', (code, signal) => void this.complete(exitStatusOf(code, signal)));
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
    return this.isRunning || this.leftovers;
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

  /** SIGTERM to the process group, then SIGKILL after `graceMs` if it has not completed. */
  kill(graceMs: number): void {
    if (!this.isRunning || this.killTimer !== undefined) return;
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.isRunning) this.signal('SIGKILL');
    }, graceMs);
  }
}
