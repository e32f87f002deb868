/**
 * A deliberately broken Runloop API for bad-input tests: the devbox id names the misbehaviour.
 * The execution view always says completed with exit status 0; the streams answer per scenario.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface FakeApi {
  readonly url: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, offset: number) => void;

const sse = (res: ServerResponse, events: string[]) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const data of events) res.write(`data: ${data}\n\n`);
  res.end();
};

const streams: Record<string, Handler> = {
  forbidden: (_req, res) => json(res, 403, { message: 'not your devbox' }),
  gone: (_req, res) => json(res, 410, { message: 'output expired' }),
  'always-500': (_req, res) => json(res, 500, { message: 'boom' }),
  'always-503': (_req, res) => {
    res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/plain' });
    res.end('unavailable');
  },
  html: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>login</body></html>');
  },
  'bad-json': (_req, res) => sse(res, ['{"output": "ab', '']),
  'no-output': (_req, res) => sse(res, ['{"offset": 3}']),
  'negative-offset': (_req, res) => sse(res, ['{"output": "abc", "offset": -3}']),
  'backwards-offset': (_req, res, offset) =>
    offset === 0 ? sse(res, ['{"output": "abc", "offset": 3}', '{"output": "xyz", "offset": 1}']) : sse(res, []),
  'teapot': (_req, res) => json(res, 418, { message: 'short and stout' }),
  // Sends its output, then keeps every connection open with keep-alive comments, never ending.
  'kept-open': (req, res, offset) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (offset === 0) res.write('data: {"output": "all of it\\n", "offset": 10}\n\n');
    const timer = setInterval(() => res.write(': keep-alive\n\n'), 50);
    req.on('close', () => clearInterval(timer));
  },
};

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The scenarios this server knows (the devbox id to use). */
export const fakeScenarios = Object.keys(streams);

export async function startFakeApi(apiKey: string): Promise<FakeApi> {
  let requests = 0;
  // The 'queued' devbox: queued at first, one wait_for_status hold runs out (408), then it runs
  // and completes with status 5 once its output was streamed.
  let queuedWaits = 0;
  let queuedStreamed = false;
  const server = createServer((req, res) => {
    requests++;
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { message: 'bad key' });
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/v1\/devboxes\/([^/]+)\/executions\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return json(res, 404, { message: 'no route' });
    const [, devbox = '', execution = '', rest] = match;
    if (devbox === 'queued') {
      const view = (status: string, exit: number | null) => json(res, 200, { devbox_id: devbox, execution_id: execution, status, exit_status: exit });
      if (rest === undefined) return queuedStreamed ? view('completed', 5) : view(queuedWaits < 2 ? 'queued' : 'running', null);
      if (rest === '/wait_for_status') return ++queuedWaits < 2 ? json(res, 408, { message: 'still waiting' }) : view('running', null);
      if (rest === '/stream_stdout_updates') {
        if (queuedWaits < 2) return json(res, 500, { message: 'streamed before it started' });
        queuedStreamed = true;
        return sse(res, Number(url.searchParams.get('offset')) === 0 ? ['{"output": "ran\\n", "offset": 4}'] : []);
      }
      return sse(res, []);
    }
    if (rest === undefined) {
      return json(res, 200, { devbox_id: devbox, execution_id: execution, status: 'completed', exit_status: 0 });
    }
    const handler = streams[devbox];
    if (!handler || !/^\/stream_(stdout|stderr)_updates$/.test(rest)) return json(res, 404, { message: 'unknown' });
    if (rest === '/stream_stderr_updates') return sse(res, []);
    handler(req, res, Number(url.searchParams.get('offset') ?? '0'));
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests: () => requests, close };
}
