/**
 * The devboxes and their executions: ids, directories under the data dir, start and shutdown.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Execution } from './execution.js';
import { seededId } from './random.js';

/** The devbox that always exists. */
export const defaultDevboxId = 'dbx_local';

/** What the registry needs to start executions. */
export interface ExecutionsOptions {
  readonly dataDir: string;
  /** Ids derive from it and a sequence number, so a replay with the same seed has the same ids. */
  readonly seed: number;
  readonly devboxes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
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
  private sequence = 0;

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
   * Starts `command` on a devbox. Executions with the same shell_name share a working directory
   * (a local stand-in for Runloop's persistent shells, which also keep the environment).
   */
  async start(devboxId: string, command: string, shellName: string | null): Promise<Execution> {
    if (!this.hasDevbox(devboxId)) throw new UnknownDevboxError(`devbox ${devboxId} not found`);
    let id: string;
    do id = seededId('exn', this.options.seed, ++this.sequence);
    while (this.byId.has(id));
    const outputDir = join(this.options.dataDir, 'executions', id);
    const workDir =
      shellName === null
        ? join(outputDir, 'work')
        : join(this.options.dataDir, 'shells', encodeURIComponent(devboxId), encodeURIComponent(shellName));
    await Promise.all([mkdir(outputDir, { recursive: true }), mkdir(workDir, { recursive: true })]);
    const execution = await Execution.start({ id, devboxId, command, shellName, outputDir, workDir, env: this.options.env });
    this.byId.set(id, execution);
    return execution;
  }

  /**
   * Stops every process: SIGTERM to each process group, SIGKILL after `graceMs` to whatever is left
   * (also to groups whose shell exited but left background processes behind).
   */
  async stopAll(graceMs: number): Promise<void> {
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
