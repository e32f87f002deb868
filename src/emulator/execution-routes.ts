/**
 * execute_async, retrieve, wait_for_status (long-poll), kill and send_std_in.
 */
import { EXECUTION_STATUSES, isExecutionStatus, type ExecutionStatus } from '../api/wire.js';
import { StdinError, type Execution } from './execution.js';
import { HttpError, readJsonBody, sendJson } from './http-json.js';
import type { RouteRequest } from './route-context.js';
import { defaultViewLines, executionView } from './view.js';


/** The execution a route names, or a 404 that says which part is unknown. */
export function findExecution(route: RouteRequest): Execution {
  const { state, devboxId, executionId } = route;
  if (!state.executions.hasDevbox(devboxId)) throw new HttpError(404, 'not_found', `devbox ${devboxId} not found`);
  const execution = executionId === undefined ? undefined : state.executions.find(devboxId, executionId);
  if (execution === undefined) {
    throw new HttpError(404, 'not_found', `execution ${executionId ?? ''} not found on devbox ${devboxId}`);
  }
  return execution;
}

/** POST /v1/devboxes/{id}/execute_async {command, shell_name?, attach_stdin?} */
export async function executeAsync(route: RouteRequest): Promise<void> {
  const { state, devboxId } = route;
  const body = await readJsonBody(route.request);
  if (!state.executions.hasDevbox(devboxId)) throw new HttpError(404, 'not_found', `devbox ${devboxId} not found`);
  const { command, shell_name: shellName, attach_stdin: attachStdin } = body;
  if (typeof command !== 'string' || command.trim() === '') {
    throw new HttpError(400, 'bad_request', 'command must be a non-empty string');
  }
  if (shellName !== undefined && shellName !== null && (typeof shellName !== 'string' || shellName === '')) {
    throw new HttpError(400, 'bad_request', 'shell_name must be a non-empty string or null');
  }
  if (attachStdin !== undefined && attachStdin !== null && typeof attachStdin !== 'boolean') {
    throw new HttpError(400, 'bad_request', 'attach_stdin must be true, false or null');
  }
  const execution = await state.executions.start(devboxId, command, { shellName: shellName ?? null, attachStdin: attachStdin === true });
  state.note(route.response, execution.id);
  sendJson(route.response, 200, await executionView(execution));
}

/** GET /v1/devboxes/{id}/executions/{eid}?last_n=N */
export async function retrieveExecution(route: RouteRequest): Promise<void> {
  const execution = findExecution(route);
  const lastN = route.url.searchParams.get('last_n');
  let lines = defaultViewLines;
  if (lastN !== null && lastN !== '') {
    if (!/^\d+$/.test(lastN) || !Number.isSafeInteger(Number(lastN))) {
      throw new HttpError(400, 'bad_request', `last_n must be a non-negative integer, got ${JSON.stringify(lastN)}`);
    }
    lines = Number(lastN);
  }
  sendJson(route.response, 200, await executionView(execution, lines));
}

function parseStatuses(value: unknown): ExecutionStatus[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, 'bad_request', `statuses must be a non-empty list of ${EXECUTION_STATUSES.join(', ')}`);
  }
  for (const status of value) {
    if (!isExecutionStatus(status)) {
      throw new HttpError(400, 'bad_request', `unknown status ${JSON.stringify(status)}; expected ${EXECUTION_STATUSES.join(', ')}`);
    }
  }
  return value as ExecutionStatus[];
}

/**
 * POST …/wait_for_status {statuses}: answers as soon as the status is one of `statuses`, or 408
 * after the hold (the client asks again, as the SDK's awaitCompleted does).
 */
export async function waitForStatus(route: RouteRequest): Promise<void> {
  const body = await readJsonBody(route.request);
  const execution = findExecution(route);
  const wanted = parseStatuses(body.statuses);
  const { state, response } = route;
  const reached = await new Promise<boolean>((resolve) => {
    const check = () => {
      if (wanted.includes(execution.status)) finish(true);
    };
    const finish = (value: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      response.off('close', onGone);
      state.closing.removeEventListener('abort', onGone);
      resolve(value);
    };
    const onGone = () => finish(false);
    const timer = setTimeout(() => finish(false), state.waitHoldMs);
    const unsubscribe = execution.onStatusChange(check);
    response.once('close', onGone);
    state.closing.addEventListener('abort', onGone, { once: true });
    check();
  });
  if (response.destroyed || state.closing.aborted) return;
  if (!reached) {
    // The SDK reads x-should-retry; its awaitCompleted asks again on 408.
    throw new HttpError(
      408,
      'request_timeout',
      `execution ${execution.id} is ${execution.status}, not ${wanted.join('/')}, after ${state.waitHoldMs} ms; ask again`,
      { 'x-should-retry': 'true' },
    );
  }
  sendJson(response, 200, await executionView(execution));
}

/**
 * POST …/kill: SIGTERM to the execution's process group (always the group: the command runs
 * under `sh -c`, so the process to stop is usually the shell's child), SIGKILL after the grace.
 * Answers at once with the view; the status turns completed when the process has exited.
 */
export async function killExecution(route: RouteRequest): Promise<void> {
  const body = await readJsonBody(route.request); // kill_process_group: accepted, the group is always killed
  const group = body.kill_process_group;
  if (group !== undefined && group !== null && typeof group !== 'boolean') {
    throw new HttpError(400, 'bad_request', 'kill_process_group must be true, false or null');
  }
  const execution = findExecution(route);
  execution.kill(route.state.killGraceMs);
  sendJson(route.response, 200, await executionView(execution));
}

/**
 * POST …/send_std_in {text} | {signal: "EOF" | "INTERRUPT"}: text goes to the command's stdin (the
 * answer comes once the pipe has taken it, so a command that does not read holds the sender back),
 * EOF closes it, INTERRUPT sends SIGINT to its process group. Text and a signal together: the text
 * first. 400 when the execution was not started with attach_stdin, has completed, or its stdin is
 * closed. A queued execution (behind another command of its named shell) is waited for.
 */
export async function sendStdIn(route: RouteRequest): Promise<void> {
  const body = await readJsonBody(route.request);
  const execution = findExecution(route);
  const { text, signal } = body;
  if (text !== undefined && text !== null && typeof text !== 'string') throw new HttpError(400, 'bad_request', 'text must be a string');
  if (signal !== undefined && signal !== null && signal !== 'EOF' && signal !== 'INTERRUPT') {
    throw new HttpError(400, 'bad_request', `signal must be "EOF" or "INTERRUPT", got ${JSON.stringify(signal)}`);
  }
  if (typeof text !== 'string' && typeof signal !== 'string') throw new HttpError(400, 'bad_request', 'give text or signal');
  const { state, response } = route;
  if (execution.attachStdin && (typeof text === 'string' || signal === 'EOF')) {
    const gone = new AbortController();
    const onGone = () => gone.abort();
    response.once('close', onGone);
    state.closing.addEventListener('abort', onGone, { once: true });
    try {
      await execution.whenStarted(gone.signal);
    } finally {
      response.off('close', onGone);
      state.closing.removeEventListener('abort', onGone);
    }
    if (gone.signal.aborted) return;
  }
  try {
    if (typeof text === 'string') await execution.writeStdin(text);
    if (signal === 'EOF') execution.endStdin();
    if (signal === 'INTERRUPT') execution.interrupt();
  } catch (error) {
    if (error instanceof StdinError) throw new HttpError(400, 'bad_request', error.message);
    throw error;
  }
  if (response.destroyed) return;
  sendJson(response, 200, { devbox_id: execution.devboxId, execution_id: execution.id, success: true });
}
