/**
 * The route table and the dispatcher: auth first (401 on every path, known or not), then the path
 * (404), the method (405), then the handler; every failure is a JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authProblem } from './auth.js';
import { executeAsync, killExecution, retrieveExecution, sendStdIn, waitForStatus } from './execution-routes.js';
import { HttpError, sendError } from './http-json.js';
import type { RouteHandler, ServerState } from './route-context.js';
import { streamStderrUpdates, streamStdoutUpdates } from './stream-route.js';

interface Route {
  /** Matches the path; group 1 is the devbox id, group 2 (when present) the execution id. */
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, RouteHandler>>;
}

const segment = '([^/]+)';
const execution = `^/v1/devboxes/${segment}/executions/${segment}`;

const routes: readonly Route[] = [
  { pattern: new RegExp(`^/v1/devboxes/${segment}/execute_async$`), methods: { POST: executeAsync } },
  { pattern: new RegExp(`${execution}$`), methods: { GET: retrieveExecution } },
  { pattern: new RegExp(`${execution}/wait_for_status$`), methods: { POST: waitForStatus } },
  { pattern: new RegExp(`${execution}/kill$`), methods: { POST: killExecution } },
  { pattern: new RegExp(`${execution}/send_std_in$`), methods: { POST: sendStdIn } },
  { pattern: new RegExp(`${execution}/stream_stdout_updates$`), methods: { GET: streamStdoutUpdates } },
  { pattern: new RegExp(`${execution}/stream_stderr_updates$`), methods: { GET: streamStderrUpdates } },
];

function decode(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(404, 'not_found', `no such path segment ${JSON.stringify(text)}`);
  }
}

async function route(request: IncomingMessage, response: ServerResponse, state: ServerState, apiKey: string): Promise<void> {
  const problem = authProblem(request.headers, apiKey);
  if (problem !== undefined) throw new HttpError(401, 'unauthorized', problem, { 'www-authenticate': 'Bearer' });
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  for (const candidate of routes) {
    const match = candidate.pattern.exec(url.pathname);
    if (match === null) continue;
    const method = request.method ?? 'GET';
    const handler = candidate.methods[method];
    if (handler === undefined) {
      const allow = Object.keys(candidate.methods).join(', ');
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use ${allow}`, { allow });
    }
    const devboxId = decode(match[1]) ?? '';
    await handler({ request, response, url, devboxId, executionId: decode(match[2]), state });
    return;
  }
  throw new HttpError(404, 'not_found', `no route for ${request.method ?? 'GET'} ${url.pathname}`);
}

/** Handles one request; never throws (an unexpected failure becomes a 500 JSON body). */
export async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  state: ServerState,
  apiKey: string,
): Promise<void> {
  try {
    await route(request, response, state, apiKey);
  } catch (error) {
    const httpError =
      error instanceof HttpError ? error : new HttpError(500, 'internal_error', `emulator error: ${String(error)}`);
    if (!response.headersSent) sendError(response, httpError);
    else response.destroy();
    // Drain what the client still sends, so the connection can be reused.
    request.resume();
  }
}
