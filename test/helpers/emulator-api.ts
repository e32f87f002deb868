/**
 * Plain-fetch calls to a running emulator for the contract tests, and a wait with a time-out.
 */
import type { StreamName } from '../../src/api/wire.js';
import { defaultDevboxId, type RunningServer } from '../../src/emulator/server.js';
import { PATIENCE_MS } from './wait.js';

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** One JSON call; the key is the server's unless `apiKey` (or null for none) says otherwise. */
export async function call(
  server: Pick<RunningServer, 'url' | 'apiKey'>,
  method: string,
  path: string,
  body?: unknown,
  apiKey: string | null = server.apiKey,
): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(PATIENCE_MS),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** The path of an execution's route. */
export function executionPath(executionId: string, rest = '', devboxId = defaultDevboxId): string {
  return `/v1/devboxes/${devboxId}/executions/${executionId}${rest}`;
}

/** The URL of a stream route from an offset. */
export function streamUrl(
  server: Pick<RunningServer, 'url'>,
  executionId: string,
  stream: StreamName,
  offset?: number | string,
  devboxId = defaultDevboxId,
): string {
  const query = offset === undefined ? '' : `?offset=${offset}`;
  return `${server.url}${executionPath(executionId, `/stream_${stream}_updates`, devboxId)}${query}`;
}

/** Rejects when `promise` takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
