/**
 * Running the CLI on a real pseudo-terminal: `script` (util-linux) for the raw bytes a terminal
 * receives, tmux for what a person would see on the screen.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath } from './run-cli.js';
import { PATIENCE_MS } from './wait.js';

const run = promisify(execFile);

/** Single-quotes a word for sh. */
export function sq(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The shell command line that runs the CLI with an environment. */
export function cliCommand(args: readonly string[], env: Record<string, string>): string {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${sq(value)}`);
  return ['env', '-i', ...assignments, sq(process.execPath), sq(cliPath), ...args.map(sq)].join(' ');
}

export interface PtyResult {
  /** Everything the terminal received, stdout and stderr together. */
  readonly output: Buffer;
  readonly status: number | null;
}

/** A command running on a pseudo-terminal: what it wrote so far, and its end. */
export interface PtyRun {
  /** Everything the terminal received so far. */
  output(): Buffer;
  readonly done: Promise<PtyResult>;
}

/** Starts a command on a pseudo-terminal of the given size; its output can be watched while it runs. */
export function startOnPty(command: string, size = { cols: 100, rows: 30 }, timeoutMs = PATIENCE_MS): PtyRun {
  // The exit status travels in a marker line, since script's own status varies between versions.
  const inner = `stty cols ${size.cols} rows ${size.rows}; ${command}; echo "__status=$?"`;
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<PtyResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pty command did not finish in ${timeoutMs} ms: ${Buffer.concat(chunks).toString().slice(-1000)}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const text = all.toString('latin1');
      const marker = /__status=(\d+)/.exec(text);
      const end = marker ? text.lastIndexOf('__status=') : all.length;
      resolve({ output: all.subarray(0, end), status: marker ? Number(marker[1]) : null });
    });
    child.on('error', reject);
  });
  return { output: () => Buffer.concat(chunks), done };
}

/** Runs a command on a pseudo-terminal of the given size and returns the raw bytes it wrote. */
export function runOnPty(command: string, size = { cols: 100, rows: 30 }, timeoutMs = PATIENCE_MS): Promise<PtyResult> {
  return startOnPty(command, size, timeoutMs).done;
}

/** A tmux server of our own (its own socket), for screens. */
export class Screen {
  readonly socket = `rt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { timeout: PATIENCE_MS });
    return stdout;
  }

  /** Starts `command` in a new session; `done` is signalled (tmux wait-for) when it ends. */
  async start(command: string, size = { cols: 120, rows: 40 }): Promise<void> {
    await this.tmux('new-session', '-d', '-x', String(size.cols), '-y', String(size.rows), `${command}; echo "__status=$?"; tmux -L ${this.socket} wait-for -S done; sleep 60`);
  }

  /** Waits (blocking in tmux itself, not polling) until the command has ended. */
  async ended(): Promise<void> {
    await this.tmux('wait-for', 'done');
  }

  async capture(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-200');
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', ...keys);
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
