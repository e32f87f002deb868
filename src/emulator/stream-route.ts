/**
 * GET …/stream_stdout_updates?offset=N and …/stream_stderr_updates?offset=N.
 */
import { findExecution } from './execution-routes.js';
import { planConnection } from './faults.js';
import { HttpError, codeForStatus } from './http-json.js';
import type { StreamName } from '../api/wire.js';
import { createRandom } from './random.js';
import type { RouteHandler, RouteRequest } from './route-context.js';
import { SseWriter } from './sse-writer.js';
import { streamOutput } from './stream-connection.js';

/**
 * The requested byte offset: absent or empty means 0. Negative, fractional or non-numeric → 400.
 * (An offset beyond what a running execution has written is fine: the stream waits for it.)
 */
export function parseOffset(value: string | null): number {
  if (value === null || value === '') return 0;
  const offset = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(offset)) {
    throw new HttpError(400, 'bad_request', `offset must be a non-negative integer byte offset, got ${JSON.stringify(value)}`);
  }
  return offset;
}

async function streamUpdates(route: RouteRequest, stream: StreamName): Promise<void> {
  const { state, response, request } = route;
  const execution = findExecution(route);
  const requested = parseOffset(route.url.searchParams.get('offset'));
  const final = execution.finalLength(stream);
  if (final !== undefined && requested > final) {
    throw new HttpError(400, 'bad_request', `offset ${requested} is beyond the end of ${stream} (${final} bytes; the execution has completed)`);
  }
  state.countConnection();
  const index = execution.connectionCounts[stream]++;
  const faults = state.faults();
  const random = createRandom(faults.seed, execution.id, stream, index);
  const plan = planConnection(faults, random, requested);
  if (plan.kind === 'error') {
    const headers: Record<string, string> = {};
    if (plan.retryAfterSeconds !== undefined) headers['retry-after'] = String(plan.retryAfterSeconds);
    state.note(response, 'fault');
    throw new HttpError(plan.status, codeForStatus(plan.status), `injected fault: ${plan.status} on ${stream} connection ${index}`, headers);
  }
  let start = requested;
  if (plan.resendBytes > 0) start = requested - plan.resendBytes;
  else if (plan.gapBytes > 0) start = Math.min(requested + plan.gapBytes, Math.max(requested, await execution.length(stream)));
  const controller = new AbortController();
  const abort = () => controller.abort();
  response.once('close', abort);
  request.once('aborted', abort);
  state.closing.addEventListener('abort', abort, { once: true });
  try {
    const writer = new SseWriter(response);
    writer.open();
    const outcome = await streamOutput({
      execution,
      stream,
      start,
      align: start > requested ? 'forward' : 'back',
      faults: state.faults,
      random,
      writer,
      signal: controller.signal,
    });
    const shift = start === requested ? '' : ` from ${start}`;
    state.note(response, `${outcome}${shift} after ${writer.bytesWritten} bytes`);
  } finally {
    response.off('close', abort);
    state.closing.removeEventListener('abort', abort);
  }
}

export const streamStdoutUpdates: RouteHandler = (route) => streamUpdates(route, 'stdout');
export const streamStderrUpdates: RouteHandler = (route) => streamUpdates(route, 'stderr');
