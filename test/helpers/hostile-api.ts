/**
 * A Runloop API that misbehaves in one way, given by the test: a node:http server on 127.0.0.1
 * port 0 whose every request goes to one handler with the route already parsed. For the shapes the
 * emulator does not make (silent or trickling streams after completion, no response head at all,
 * hostile error bodies and header values, odd execution ids). close() ends every connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import { baseEnv } from './run-cli.js';

export interface Route {
  readonly method: string;
  readonly devboxId: string;
  /** Undefined for execute_async. */
  readonly executionId: string | undefined;
  /** '' for the execution itself, else e.g. 'stream_stdout_updates', 'wait_for_status', 'execute_async'. */
  readonly action: string;
  readonly offset: number;
}

export type HostileHandler = (route: Route, req: IncomingMessage, res: ServerResponse) => void;

export interface HostileApi {
  readonly url: string;
  readonly apiKey: string;
  /** Requests seen so far, by action. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/** Answers JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An execution view. */
export function view(res: ServerResponse, route: Route, status: 'running' | 'completed', exitStatus: number | null): void {
  json(res, 200, { devbox_id: route.devboxId, execution_id: route.executionId, status, exit_status: exitStatus });
}

/** Opens an SSE response and writes these events (`[output, offsetAfter]`), leaving it open. */
export function openStream(res: ServerResponse, events: readonly (readonly [string, number])[] = []): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.flushHeaders(); // the head goes now, even with no event to follow
  for (const [output, offset] of events) res.write(`data: ${JSON.stringify({ output, offset })}\n\n`);
}

/** Repeats `write` every `ms` until the request closes. */
export function every(req: IncomingMessage, ms: number, write: () => void): void {
  const timer = setInterval(write, ms);
  req.socket.on('close', () => clearInterval(timer));
}

export async function startHostileApi(handler: HostileHandler, apiKey = 'rk_hostile_key_000000000'): Promise<HostileApi> {
  const requests = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/v1\/devboxes\/([^/]+)(?:\/executions\/([^/]+))?(?:\/([a-z_]+))?$/.exec(url.pathname);
    if (req.headers.authorization !== `Bearer ${apiKey}` || !match) return json(res, 401, { message: 'no' });
    const action = match[3] ?? '';
    requests.set(action, (requests.get(action) ?? 0) + 1);
    const route: Route = {
      method: req.method ?? 'GET',
      devboxId: decodeURIComponent(match[1] ?? ''),
      executionId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
      action,
      offset: Number(url.searchParams.get('offset') ?? '0'),
    };
    req.resume();
    handler(route, req, res);
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, apiKey, requests, close };
}

/**
 * Starts a hostile API for one test, hands it and the environment that points the CLI at it to
 * `run`, and closes it however `run` ends.
 */
export async function withHostileApi<T>(handler: HostileHandler, run: (api: HostileApi, env: Record<string, string>) => Promise<T>): Promise<T> {
  const api = await startHostileApi(handler);
  try {
    return await run(api, baseEnv({ RUNLOOP_API_KEY: api.apiKey, RUNLOOP_BASE_URL: api.url }));
  } finally {
    await api.close();
  }
}
