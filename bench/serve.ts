/**
 * `runloop-tail serve` in its own process for a benchmark, and the few API calls a benchmark makes
 * to it (start a command, wait for it to complete).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { createInterface } from 'node:readline';

export interface Serve {
  readonly url: string;
  readonly apiKey: string;
  /** Where the server keeps each execution's output (`executions/<id>/stdout.log`). */
  readonly dataDir: string;
  readonly child: ChildProcess;
}

/** The value of an `export NAME=value` line that serve prints, unquoted. */
function exported(line: string, name: string): string | undefined {
  const match = new RegExp(`^export ${name}=(\\S+)$`).exec(line);
  return match?.[1]?.replace(/^'(.*)'$/, '$1');
}

/** Starts `serve` on a free loopback port with a fresh key; resolves once it printed its URL. */
export async function startServe(cli: string, dataDir: string): Promise<Serve> {
  const apiKey = `bench_${randomBytes(12).toString('hex')}`;
  await mkdir(dataDir, { recursive: true });
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--api-key', apiKey, '--data-dir', dataDir, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout })) {
    const url = exported(line, 'RUNLOOP_BASE_URL');
    if (url !== undefined) {
      child.stdout.resume();
      return { url, apiKey, dataDir, child };
    }
  }
  throw new Error('serve exited before printing its URL');
}

/** One JSON call (408 is an answer: wait_for_status timed out). */
function api(serve: Serve, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolveCall, reject) => {
    const call = request(
      new URL(`${serve.url}${path}`),
      { method, headers: { authorization: `Bearer ${serve.apiKey}`, 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (piece: string) => (text += piece));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status === 408 || (status >= 200 && status < 300)) resolveCall(JSON.parse(text) as Record<string, unknown>);
          else reject(new Error(`${method} ${path}: ${status} ${text}`));
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Starts a command on dbx_local; its execution id. */
export async function execute(serve: Serve, command: string): Promise<string> {
  const view = await api(serve, 'POST', '/v1/devboxes/dbx_local/execute_async', { command });
  return String(view.execution_id);
}

/** Waits for the execution to complete; its exit status. */
export async function waitCompleted(serve: Serve, executionId: string): Promise<number> {
  for (;;) {
    const view = await api(serve, 'POST', `/v1/devboxes/dbx_local/executions/${executionId}/wait_for_status`, { statuses: ['completed'] });
    if (view.status === 'completed') return Number(view.exit_status);
  }
}
