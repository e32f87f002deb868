/**
 * The REST calls of the executions API. Each throws TailError for a permanent failure and
 * TransientFailure for one worth retrying; the caller owns the retry policy.
 */
import { TailError, isExitStatus, redact } from '../errors.js';
import { errorForStatus, isTransientStatus, permanentNetworkError, TransientFailure, type RequestSubject } from './errors.js';
import { ResponseTimeout, header, httpRequest, readText, type HttpResponse } from './http.js';
import { decodedBody } from './content-encoding.js';
import { JsonFieldScanner } from './json-fields.js';
import type { Transport } from './transport.js';
import { isExecutionStatus, type ExecutionDetailView, type ExecutionStatus, type StreamName } from './wire.js';
import { parseRetryAfter } from './backoff.js';

/** The parts of DevboxAsyncExecutionDetailView runloop-tail uses (the fields it reads). */
export type ExecutionView = Readonly<Pick<ExecutionDetailView, (typeof VIEW_FIELDS)[number]>>;

export interface ApiTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Agents and proxies for every request to this target; default: direct, no proxy. */
  readonly transport?: Transport;
}

/** The URL of an execution, or one of its sub-resources. */
export function executionUrl(target: ApiTarget, devboxId: string, executionId: string, tail = ''): URL {
  const path = `/v1/devboxes/${encodeURIComponent(devboxId)}/executions/${encodeURIComponent(executionId)}${tail}`;
  return new URL(target.baseUrl.replace(/\/+$/, '') + path);
}

/** The stream URL of one output, from a byte offset. */
export function streamUrl(target: ApiTarget, devboxId: string, executionId: string, stream: StreamName, offset: number): URL {
  const url = executionUrl(target, devboxId, executionId, `/stream_${stream}_updates`);
  url.searchParams.set('offset', String(offset));
  return url;
}

/** The fields of an execution view runloop-tail reads; everything else is skipped unread. */
export const VIEW_FIELDS = ['devbox_id', 'execution_id', 'status', 'exit_status'] as const;

/**
 * Reads a 200 body's wanted top-level fields with bounded memory (a view carries the command's
 * output once it has completed, and a server may not bound it).
 */
async function readFields(body: AsyncIterable<Buffer>, fields: readonly string[]): Promise<Record<string, unknown>> {
  const scanner = new JsonFieldScanner(fields);
  for await (const piece of body) scanner.push(piece);
  return Object.fromEntries(scanner.end());
}

/** How long a JSON call waits for its response head, and then for its body, by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** The shortest request time-out: a loaded machine or a far service may take a few seconds. */
export const MIN_REQUEST_TIMEOUT_MS = 5_000;
/** How long the service holds a wait_for_status long-poll before its 408 (about 25 s). */
export const LONG_POLL_HOLD_MS = 30_000;

/**
 * The time-out of a status or start request in a follow: the user's `--idle-timeout` (how much
 * silence they accept), kept between 5 and 30 seconds.
 */
export function requestTimeoutFor(idleTimeoutMs: number): number {
  return Math.min(DEFAULT_REQUEST_TIMEOUT_MS, Math.max(MIN_REQUEST_TIMEOUT_MS, idleTimeoutMs));
}

/**
 * Sends one JSON call and returns the parsed body (or, with `fields`, an object of just those
 * top-level fields, read with bounded memory), mapping failures to their kinds.
 */
export async function callJson(
  target: ApiTarget,
  url: URL,
  subject: RequestSubject,
  options: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal; fields?: readonly string[]; timeoutMs?: number } = {},
): Promise<unknown> {
  // Every call is bounded: a server that never answers, or trickles its body, is a transient failure.
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let response: HttpResponse;
  try {
    response = await httpRequest(url, {
      method: options.method ?? 'GET',
      headers: { authorization: `Bearer ${target.apiKey}`, accept: 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      transport: target.transport,
      headTimeoutMs: timeoutMs,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const permanent = permanentNetworkError(error, url);
    if (permanent !== undefined) throw permanent;
    throw new TransientFailure(`cannot reach ${url.origin}: ${describeNetworkError(error)}`, { cause: error });
  }
  let body;
  try {
    body = decodedBody(response.body, header(response.headers, 'content-encoding'));
  } catch (error) {
    response.body.destroy();
    throw new TailError('protocol', `the ${subject.what} response from ${url.origin}: ${(error as Error).message}`);
  }
  // The body too has until the time-out: a server trickling a view or an error must not hold us.
  const decoded = body;
  const deadline = setTimeout(() => {
    const late = new ResponseTimeout(timeoutMs);
    decoded.destroy(late);
    response.body.destroy(late);
  }, timeoutMs);
  let text: string;
  try {
    if (response.status === 200 && options.fields !== undefined) {
      const fields = options.fields;
      return await readOrCut(() => readFields(decoded, fields), subject, url, options.signal);
    }
    // An error body is read only as far as its one-line message needs.
    const limit = response.status === 200 ? 4 * 1024 * 1024 : 64 * 1024;
    text = redact(await readOrCut(() => readText(decoded, limit), subject, url, options.signal), [target.apiKey]);
  } finally {
    clearTimeout(deadline);
  }
  if (response.status === 200) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TailError('protocol', `the ${subject.what} response from ${url.origin} is not JSON`);
    }
  }
  if (isTransientStatus(response.status)) {
    throw new TransientFailure(`the ${subject.what} request got ${response.status}`, {
      status: response.status,
      retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), Date.now()),
    });
  }
  throw errorForStatus(response.status, text, subject);
}

/** Reads a body; a cut is transient, a body that is not what was asked for is a protocol error. */
async function readOrCut<T>(read: () => Promise<T>, subject: RequestSubject, url: URL, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof Error && error.name === 'JsonFieldsError') {
      throw new TailError('protocol', `the ${subject.what} response from ${url.origin} is not JSON (${error.message})`);
    }
    throw new TransientFailure(`the ${subject.what} response was cut: ${describeNetworkError(error)}`, { cause: error });
  }
}

/** One line for a socket-level error: "connect ECONNREFUSED 127.0.0.1:9" rather than a stack. */
export function describeNetworkError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; errors?: unknown };
    if (Array.isArray(e.errors) && e.errors.length > 0) return describeNetworkError(e.errors[0]);
    if (typeof e.message === 'string' && e.message !== '') return e.message;
    if (typeof e.code === 'string') return e.code;
  }
  return String(error);
}

/** Checks a JSON value is an execution view. */
export function asExecutionView(value: unknown, what: string): ExecutionView {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const status = v.status;
    const exit = v.exit_status;
    if (exit !== null && exit !== undefined && !isExitStatus(exit)) {
      // A value parsed from JSON always has a JSON text.
      const shown = JSON.stringify(exit).slice(0, 40);
      throw new TailError('protocol', `the ${what} response has exit_status ${shown}, not an exit status (an integer from 0 to 255)`);
    }
    if (typeof v.execution_id === 'string' && isExecutionStatus(status)) {
      return {
        devbox_id: typeof v.devbox_id === 'string' ? v.devbox_id : '',
        execution_id: v.execution_id,
        status,
        exit_status: typeof v.exit_status === 'number' ? v.exit_status : null,
      };
    }
  }
  throw new TailError('protocol', `the ${what} response is not an execution view`);
}

export async function getExecution(
  target: ApiTarget,
  devboxId: string,
  executionId: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<ExecutionView> {
  const subject = { devboxId, executionId, what: 'execution status' };
  // The smallest last_n the API takes: the view's output is not needed, the streams carry it.
  const url = executionUrl(target, devboxId, executionId);
  url.searchParams.set('last_n', '1');
  return asExecutionView(await callJson(target, url, subject, { signal, fields: VIEW_FIELDS, timeoutMs }), subject.what);
}

/** Long-polls until the status is one of `statuses`; resolves undefined when the server's hold ran out (408). */
export async function waitForStatus(
  target: ApiTarget,
  devboxId: string,
  executionId: string,
  statuses: readonly ExecutionStatus[],
  signal?: AbortSignal,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<ExecutionView | undefined> {
  const subject = { devboxId, executionId, what: 'wait for status' };
  try {
    const value = await callJson(target, executionUrl(target, devboxId, executionId, '/wait_for_status'), subject, {
      method: 'POST',
      body: { statuses },
      signal,
      fields: VIEW_FIELDS,
      // The long-poll is held by the server before it answers: its own, longer time-out.
      timeoutMs: LONG_POLL_HOLD_MS + timeoutMs,
    });
    return asExecutionView(value, subject.what);
  } catch (error) {
    if (error instanceof TransientFailure && error.status === 408) return undefined;
    throw error;
  }
}

/** What execute_async is asked for besides the command. */
export interface StartOptions {
  readonly shellName?: string | undefined;
  /** Open the command's stdin to send_std_in (otherwise it reads nothing). */
  readonly attachStdin?: boolean;
}

export async function executeAsync(
  target: ApiTarget,
  devboxId: string,
  command: string,
  options: StartOptions = {},
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<ExecutionView> {
  const subject = { devboxId, what: 'execute' };
  const url = new URL(`${target.baseUrl.replace(/\/+$/, '')}/v1/devboxes/${encodeURIComponent(devboxId)}/execute_async`);
  const body: Record<string, unknown> = { command };
  if (options.shellName !== undefined) body.shell_name = options.shellName;
  if (options.attachStdin === true) body.attach_stdin = true;
  return asExecutionView(await callJson(target, url, subject, { method: 'POST', body, signal, fields: VIEW_FIELDS, timeoutMs }), subject.what);
}

/** Kills an execution; with `processGroup`, every process of its group (kill_process_group). */
export async function killExecution(
  target: ApiTarget,
  devboxId: string,
  executionId: string,
  options: { processGroup?: boolean } = {},
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<ExecutionView> {
  const subject = { devboxId, executionId, what: 'kill' };
  const body = options.processGroup === true ? { kill_process_group: true } : {};
  return asExecutionView(
    await callJson(target, executionUrl(target, devboxId, executionId, '/kill'), subject, { method: 'POST', body, signal, fields: VIEW_FIELDS, timeoutMs }),
    subject.what,
  );
}

/** One send_std_in: text for the command's stdin, or a signal (EOF closes it, INTERRUPT is Ctrl-C). */
export type StdinMessage = { readonly text: string } | { readonly signal: 'EOF' | 'INTERRUPT' };

/** Sends one message to the stdin of an execution started with attach_stdin. */
export async function sendStdIn(
  target: ApiTarget,
  devboxId: string,
  executionId: string,
  message: StdinMessage,
  signal?: AbortSignal,
): Promise<void> {
  const subject = { devboxId, executionId, what: 'send stdin' };
  const value = await callJson(target, executionUrl(target, devboxId, executionId, '/send_std_in'), subject, { method: 'POST', body: message, signal });
  if (value && typeof value === 'object' && (value as { success?: unknown }).success === false) {
    throw new TailError('bad-request', `the service did not take the stdin of execution ${executionId} (success: false)`);
  }
}
