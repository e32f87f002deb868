/**
 * Follows one output stream to its end: connects from the cursor's position, places every chunk,
 * reconnects through every fault, and returns once the execution has completed and a connection
 * opened after that brought nothing new (the stream is drained).
 */
import { streamUrl, type ApiTarget } from '../api/client.js';
import { errorForStatus, isTransientStatus } from '../api/errors.js';
import { formatDuration } from '../duration.js';
import { TailError } from '../errors.js';
import { backoffDelay } from '../api/backoff.js';
import { openConnection, type ConnectionOutcome } from './connection.js';
import { acceptChunk, createCursor, decideMeaning, endConnection, isHolding, startConnection, type CursorState, type Placement } from './cursor.js';
import { probeOffsetMeaning } from './offset-probe.js';
import type { ExecutionWatch } from './execution-watch.js';
import { watchConnection } from './watchdog.js';
import type { FollowEvent, OutputSink, StreamName } from './types.js';

/**
 * A connection that delivered bytes, or lived at least this long, was healthy: when it ends
 * (idle time-out of a proxy, a deploy) we reconnect at once and do not count it as a failure.
 */
export const HEALTHY_CONNECTION_MS = 5000;

/**
 * Once the execution has completed and a connection went silent (or only kept alive) for the idle
 * time-out, every later connection only has to show whether anything is left: the bytes exist, a
 * service sends them at once. So it waits this long at most (or the idle time-out, if shorter), and
 * a finished stream kept open ends within the idle time-out plus this, never twice the time-out.
 * It is also the least a connection made after completion waits for its first bytes before its
 * silence ends the stream, whatever the idle time-out.
 */
export const DRAIN_PROBE_MS = 2000;

export interface StreamFollowOptions {
  readonly target: ApiTarget;
  readonly devboxId: string;
  readonly executionId: string;
  readonly stream: StreamName;
  readonly startOffset: number;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly sink: OutputSink;
  readonly execution: ExecutionWatch;
  readonly onEvent: (event: FollowEvent) => void;
  /** Called with the cursor's position after every placement (for resume offsets). */
  readonly onPosition: (position: number) => void;
  readonly random: () => number;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The connection to use (tests give a scripted one). */
  readonly open?: typeof openConnection;
}

export async function followStream(options: StreamFollowOptions): Promise<void> {
  const { stream, sink, signal } = options;
  let cursor: CursorState = createCursor(options.startOffset);
  let failures = 0;
  /** The last connection ended with an in-stream 408 and brought nothing. */
  let lastWasIdle408 = false;
  /** Bytes written on the current connection. */
  let written = 0;
  /** A chunk of the current connection could not be placed exactly: ask again. */
  let unplaceable = false;
  let notedReplacement = false;
  const open = options.open ?? openConnection;
  // How long a connection may go without data: the idle time-out, then a short probe (see DRAIN_PROBE_MS).
  let windowMs = options.idleTimeoutMs;

  const apply = ([next, placement]: [CursorState, Placement]) => {
    const moved = next.position !== cursor.position;
    cursor = next;
    for (const gap of placement.gaps) options.onEvent({ type: 'gap', stream, offset: gap.offset, length: gap.length });
    if (placement.duplicateBytes > 0) options.onEvent({ type: 'resent', stream, bytes: placement.duplicateBytes });
    if (placement.replaced === true && !notedReplacement) {
      notedReplacement = true;
      options.onEvent({ type: 'replaced', stream, offset: cursor.position });
    }
    if (placement.unplaceable === true) unplaceable = true;
    for (const write of placement.writes) {
      written += write.bytes.length;
      sink.write(stream, write.bytes, write.offset);
    }
    if (placement.writes.length > 0) options.onPosition(cursor.position);
    if (placement.writes.length > 0 || moved) sink.placed?.(stream, cursor.position, cursor.unresolved.length);
  };

  /**
   * Chunks that fit both offset meanings are held while a short connection from offset 0 tells
   * which one the service uses; the stream is not read meanwhile.
   */
  let probe: Promise<void> | undefined;
  /** The last probe got no answer (an error, a cut, a time-out): a later connection asks again. */
  let probeUnanswered = false;
  const probeMeaning = (): Promise<void> =>
    probeOffsetMeaning({
      url: streamUrl(options.target, options.devboxId, options.executionId, stream, 0),
      apiKey: options.target.apiKey,
      transport: options.target.transport,
      signal,
      timeoutMs: options.idleTimeoutMs,
      sleep: options.sleep,
      open,
    }).then(
      (meaning) => {
        probeUnanswered = meaning === undefined;
        if (meaning !== undefined) apply(decideMeaning(cursor, meaning));
      },
      () => {
        probeUnanswered = true; // no answer: ask again on the next connection (see below)
      },
    );

  for (let connection = 0; ; connection++) {
    if (signal.aborted) throw signal.reason;
    cursor = startConnection(cursor);
    written = 0;
    unplaceable = false;
    const before = cursor.position;
    const startedAt = options.now();
    const afterCompletion = options.execution.completed;
    options.onEvent({ type: 'connecting', stream, offset: before, attempt: failures });

    const idle = new AbortController();
    let quietAfterCompletion = false;
    // After completion a silent connection ends the stream, so it is given at least the drain probe
    // even under a shorter --idle-timeout: a service (or a busy machine) slow to send the first bytes
    // after the response head must not be taken for one with nothing left (seen under stress: the
    // emulator starved for 0.3 s after its head, --idle-timeout 0.3s, all output lost).
    const silenceMs = afterCompletion ? Math.max(windowMs, DRAIN_PROBE_MS) : windowMs;
    const watchdog = watchConnection(silenceMs, {
      dead: () => idle.abort(),
      // Alive but without output: a service may keep a finished stream open with keep-alives, or
      // trickle bytes. After completion the status is known: no need to ask again.
      quiet: () => {
        if (afterCompletion) {
          quietAfterCompletion = true;
          idle.abort();
          return;
        }
        options.execution.refresh().then(
          (view) => {
            if (view.status !== 'completed') return;
            quietAfterCompletion = true;
            idle.abort();
          },
          () => undefined, // the status check is a hint here; the connection goes on
        );
      },
    });
    let sawData = false;
    let responded = false;
    let reading = true;
    const outcome: ConnectionOutcome = await open({
      url: streamUrl(options.target, options.devboxId, options.executionId, stream, before),
      apiKey: options.target.apiKey,
      transport: options.target.transport,
      signal: AbortSignal.any([signal, idle.signal]),
      onActivity: () => {
        watchdog.activity();
        if (!responded) {
          responded = true;
          sink.connected?.(stream, true);
        }
      },
      onKeepAlive: () => watchdog.keepAlive(),
      ready: () => probe ?? sink.ready(stream),
      onChunk: (chunk) => {
        if (!sawData) {
          sawData = true;
          options.onEvent({ type: 'data', stream });
        }
        if (unplaceable) return;
        const at = cursor.position;
        const writtenAt = written;
        apply(acceptChunk(cursor, chunk));
        // Only new bytes are data: a service resending what we have (or empty events) forever
        // must not keep a finished stream open.
        if (cursor.position > at || written > writtenAt || isHolding(cursor)) watchdog.data();
        if (unplaceable) idle.abort();
        else if (probe === undefined && cursor.meaning === undefined && isHolding(cursor)) {
          // The stream is not read while the probe runs: to the views it is not connected, so a
          // slow probe is not taken for the remote command falling quiet (--tail's first burst).
          sink.connected?.(stream, false);
          probe = probeMeaning().finally(() => {
            if (reading) sink.connected?.(stream, true);
          });
        }
      },
    }).finally(() => {
      reading = false;
      watchdog.stop();
    });
    if (probe !== undefined) await probe;
    if (signal.aborted) throw signal.reason;
    if (probeUnanswered) probe = undefined;
    // Held chunks that fit both meanings, a probe that got no answer: the fallback meaning would be
    // a guess that drops or repeats them (a follow resumed near the end of a stream), so ask again.
    const guessing = probeUnanswered && cursor.meaning === undefined && isHolding(cursor);
    if (outcome.kind === 'ended' && !unplaceable && !guessing) apply(endConnection(cursor));
    sink.connected?.(stream, false);

    const progressed = cursor.position > before || written > 0;
    // A connection that never got a response was not healthy however long it hung.
    const healthy = progressed || (responded && options.now() - startedAt >= HEALTHY_CONNECTION_MS);
    if (progressed) failures = 0;
    if (outcome.kind !== 'stream-error') lastWasIdle408 = false;

    const retry = async (reason: string, retryAfterMs?: number) => {
      failures++;
      if (failures > options.maxRetries) {
        throw new TailError(
          'retries-exhausted',
          `${stream}: gave up after ${options.maxRetries} retries in a row (${reason}); raise --max-retries or check the service`,
        );
      }
      const delayMs = backoffDelay(failures, options.random(), retryAfterMs);
      options.onEvent({ type: 'retrying', stream, offset: cursor.position, attempt: failures, delayMs, reason });
      await options.sleep(delayMs, signal);
    };

    if (unplaceable) {
      await retry('a resent chunk holding U+FFFD could not be placed exactly; asking again');
      continue;
    }
    if (guessing && outcome.kind === 'ended') {
      await retry('what chunk offsets mean could not be learnt from the stream; asking again');
      continue;
    }
    switch (outcome.kind) {
      case 'ended':
      case 'aborted': {
        // Drained: a connection made after completion answered and brought nothing new, whether
        // the service closed it, kept it open in silence, sent keep-alives or trickled bytes.
        if (afterCompletion && responded && !progressed) {
          options.onEvent({ type: 'drained', stream, offset: cursor.position });
          sink.end(stream);
          return;
        }
        // No response head within the window: a failure, counted, whatever the status.
        if (!responded) {
          await retry(`no response within ${formatDuration(silenceMs)}`);
          continue;
        }
        // A clean end or a quiet spell: only the execution's status says whether we are done.
        const view = afterCompletion || quietAfterCompletion ? options.execution.view : await options.execution.refresh();
        if (view?.status === 'completed') {
          // Waited the window out after completion: the next connection only probes what is left.
          if (outcome.kind === 'aborted') windowMs = Math.min(options.idleTimeoutMs, DRAIN_PROBE_MS);
          continue; // drain: one more connection from where we are
        }
        const reason = outcome.kind === 'ended' ? 'the stream ended while the command runs' : `no data for ${formatDuration(windowMs)}`;
        if (healthy) {
          failures = 0;
          if (outcome.kind === 'aborted') options.onEvent({ type: 'retrying', stream, offset: cursor.position, attempt: 0, delayMs: 0, reason });
          continue;
        }
        await retry(reason);
        continue;
      }
      case 'http': {
        if (!isTransientStatus(outcome.status)) {
          throw errorForStatus(outcome.status, outcome.body, {
            devboxId: options.devboxId,
            executionId: options.executionId,
            what: `${stream} stream`,
          });
        }
        if (outcome.status === 408) {
          // The service's own idle time-out: the execution may have completed meanwhile. On a
          // connection made after completion it is a failure like any other (counted), or a
          // service answering 408 forever would hold us forever.
          if (!afterCompletion) {
            const view = await options.execution.refresh();
            if (view.status === 'completed' || healthy) {
              if (healthy) failures = 0;
              continue;
            }
          }
        }
        await retry(`HTTP ${outcome.status}`, outcome.retryAfterMs);
        continue;
      }
      case 'stream-error': {
        // An `error` event inside the stream carries an HTTP status, read through the same table.
        if (!isTransientStatus(outcome.status)) {
          throw errorForStatus(outcome.status, outcome.message, {
            devboxId: options.devboxId,
            executionId: options.executionId,
            what: `${stream} stream`,
          });
        }
        if (outcome.status === 408 && afterCompletion && responded && !progressed) {
          // The service timed out a connection made after completion for want of anything to send.
          options.onEvent({ type: 'drained', stream, offset: cursor.position });
          sink.end(stream);
          return;
        }
        if (outcome.status === 408) {
          // The service's idle time-out inside a stream: resume at once from the cursor, as the
          // official SDK does. Only a run of them on connections that brought nothing backs off.
          const atOnce = progressed || healthy || !lastWasIdle408;
          lastWasIdle408 = !progressed;
          if (atOnce) {
            failures = 0;
            options.onEvent({ type: 'retrying', stream, offset: cursor.position, attempt: 0, delayMs: 0, reason: 'the service timed the stream out (408)' });
            continue;
          }
        }
        await retry(`error event ${outcome.status}`);
        continue;
      }
      case 'cut':
        await retry(outcome.message === 'aborted' ? 'connection cut mid-stream' : `connection cut: ${outcome.message}`);
        continue;
      case 'network':
        await retry(outcome.message);
        continue;
      case 'failed':
        throw outcome.error;
      case 'protocol':
        throw new TailError('protocol', `${stream}: ${outcome.message} (from ${options.target.baseUrl}); is --base-url right?`);
    }
  }
}
