/**
 * The devboxes and their executions: ids, directories under the data dir, named shells (one
 * command at a time each), start and shutdown.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultDevboxId } from './default-devbox.js';
import { Execution, shellExitStatus } from './execution.js';
import { nextProcess, type ShellState } from './named-shell.js';
import { seededId } from './random.js';

/** What the registry needs to start executions. */
export interface ExecutionsOptions {
  readonly dataDir: string;
  /** Ids derive from it and a sequence number, so a replay with the same seed has the same ids. */
  readonly seed: number;
  readonly devboxes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** What execute_async asks for. */
export interface StartRequest {
  readonly shellName: string | null;
  readonly attachStdin: boolean;
}

/** Raised for an unknown devbox; the routes turn it into a 404. */
export class UnknownDevboxError extends Error {
  override readonly name = 'UnknownDevboxError';
}

/** All executions of one server. */
export class Executions {
  private readonly options: ExecutionsOptions;
  private readonly devboxes: Set<string>;
  private readonly byId = new Map<string, Execution>();
  /** Per named shell: the last execution queued in it (the next one waits for it to complete). */
  private readonly shellTails = new Map<string, Execution>();
  private sequence = 0;
  private stopping = false;

  constructor(options: ExecutionsOptions) {
    this.options = options;
    this.devboxes = new Set([defaultDevboxId, ...options.devboxes]);
  }

  hasDevbox(devboxId: string): boolean {
    return this.devboxes.has(devboxId);
  }

  /** The execution with this id on this devbox, if any. */
  find(devboxId: string, executionId: string): Execution | undefined {
    const execution = this.byId.get(executionId);
    return execution?.devboxId === devboxId ? execution : undefined;
  }

  /** The execution with this id on any devbox. */
  get(executionId: string): Execution | undefined {
    return this.byId.get(executionId);
  }

  all(): Execution[] {
    return [...this.byId.values()];
  }

  /**
   * A fresh id and its output directory. Ids follow the seed, but one whose directory exists (a data
   * dir kept from an earlier run of the server) is skipped: mkdir without `recursive` fails on it.
   */
  private async newOutputDir(): Promise<{ id: string; outputDir: string }> {
    const root = join(this.options.dataDir, 'executions');
    await mkdir(root, { recursive: true });
    for (;;) {
      const id = seededId('exn', this.options.seed, ++this.sequence);
      if (this.byId.has(id)) continue;
      const outputDir = join(root, id);
      try {
        await mkdir(outputDir);
        return { id, outputDir };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  private shellState(devboxId: string, shellName: string): ShellState {
    const key = join(encodeURIComponent(devboxId), encodeURIComponent(shellName));
    return { homeDir: join(this.options.dataDir, 'shells', key), stateDir: join(this.options.dataDir, 'shell-state', key) };
  }

  /**
   * Starts `command` on a devbox, or queues it behind the command running in the same named shell.
   * Resolves once it is running (or queued).
   */
  async start(devboxId: string, command: string, request: StartRequest): Promise<Execution> {
    if (!this.hasDevbox(devboxId)) throw new UnknownDevboxError(`devbox ${devboxId} not found`);
    const { id, outputDir } = await this.newOutputDir();
    const { shellName, attachStdin } = request;
    const execution = await Execution.create({ id, devboxId, command, shellName, attachStdin, outputDir });
    this.byId.set(id, execution);
    if (shellName === null) {
      const workDir = join(outputDir, 'work');
      await mkdir(workDir, { recursive: true });
      await execution.run({ script: command, workDir, env: this.options.env });
      return execution;
    }
    const state = this.shellState(devboxId, shellName);
    await Promise.all([mkdir(state.homeDir, { recursive: true }), mkdir(state.stateDir, { recursive: true })]);
    const key = `${devboxId}\u0000${shellName}`;
    const previous = this.shellTails.get(key);
    this.shellTails.set(key, execution);
    const runNow = async () => {
      if (this.stopping) return execution.cancel(shellExitStatus(null, 'SIGTERM'));
      await execution.run(await nextProcess(command, state, this.options.env));
    };
    if (previous === undefined || !previous.isRunning) await runNow();
    else void previous.completed.then(runNow);
    void execution.completed.then(() => {
      if (this.shellTails.get(key) === execution) this.shellTails.delete(key);
    });
    return execution;
  }

  /**
   * Stops every process: queued executions are cancelled, SIGTERM to each process group, SIGKILL
   * after `graceMs` to whatever is left (also to groups whose shell exited but left background
   * processes behind).
   */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const execution of this.all()) execution.cancel(shellExitStatus(null, 'SIGTERM'));
    const executions = this.all().filter((execution) => execution.mayHaveProcesses);
    for (const execution of executions) execution.signal('SIGTERM');
    const running = executions.filter((execution) => execution.isRunning).map((execution) => execution.completed);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running), grace]);
    clearTimeout(timer);
    for (const execution of executions) execution.signal('SIGKILL');
    await Promise.all(running);
  }
}
