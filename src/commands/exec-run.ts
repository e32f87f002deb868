/**
 * The work of `exec`, loaded only when it runs: start the command with execute_async, forward stdin
 * while following it like `tail`, and return its exit status (or detach at once with --detach).
 */
import { executeAsync, getExecution, killExecution, requestTimeoutFor, type ApiTarget } from '../api/client.js';
import { TransientFailure } from '../api/errors.js';
import { validateId } from '../api/ids.js';
import { retryTransient } from '../api/retry.js';
import { EXIT_OK, TailError, oneLine } from '../errors.js';
import { visibleControls } from '../render/sanitize.js';
import type { Io } from '../io.js';
import { shellCommand } from '../render/shell-quote.js';
import { firstNonUtf8ByteOfFile } from '../stdin/file-check.js';
import { deliver, forwardStdin, type ForwardOutcome } from '../stdin/forward.js';
import { terminalSafeJson } from './execution-call.js';
import { followArgs } from './follow-args.js';
import type { FollowSettings } from './follow-options.js';
import { runFollow, settingsFor } from './follow-run.js';

/** What Ctrl-C does while following: stop following (the default), forward it, or kill the command. */
export type InterruptAction = 'detach' | 'interrupt' | 'kill';

/** What to start, already validated. */
export interface ExecRequest {
  readonly devboxId: string;
  /** The shell string for the remote shell. */
  readonly command: string;
  readonly shellName: string | undefined;
  /** Send the local stdin to the command (a pipe or a file, or a terminal with -i), then EOF. */
  readonly forwardStdin: boolean;
  readonly onInterrupt: InterruptAction;
  /** Start, print the execution id and return without following. */
  readonly detach: boolean;
}

/** Refuses, before anything starts, a stdin file that cannot travel as text. */
async function checkStdinFile(io: Io): Promise<void> {
  const fd = (io.stdin as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return;
  const invalidAt = await firstNonUtf8ByteOfFile(fd);
  if (invalidAt !== undefined) {
    throw new TailError('usage', `stdin is not UTF-8 (byte ${invalidAt}) and the service takes stdin as text only; nothing was started (use -n to run without stdin)`);
  }
}

/** Starts the command, follows it to its end and returns the exit status. */
export async function runExec(io: Io, options: FollowSettings, request: ExecRequest): Promise<number> {
  const id = request.devboxId;
  const settings = await settingsFor(io, options);
  const target: ApiTarget = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport: settings.transport };
  if (request.forwardStdin) await checkStdinFile(io);
  // INTERRUPT travels through send_std_in too, so --interrupt needs stdin attached.
  const attachStdin = request.forwardStdin || request.onInterrupt === 'interrupt';
  let view;
  try {
    view = await executeAsync(target, id, request.command, { shellName: request.shellName, attachStdin }, io.signal, requestTimeoutFor(options.idleTimeoutMs));
  } catch (error) {
    // Starting a command is not idempotent: never retried, one line either way.
    if (error instanceof TransientFailure) throw new TailError('network', `could not start the command on ${id}: ${error.message}`);
    throw error;
  }
  let executionId: string;
  try {
    executionId = validateId('execution id', view.execution_id); // it goes into our messages and commands
  } catch {
    throw new TailError('protocol', `the service answered execute with an execution id that is not an id: ${terminalSafeJson(view.execution_id.slice(0, 80))}`);
  }
  if (request.detach) {
    const line = options.json ? JSON.stringify({ devbox_id: id, execution_id: executionId, status: view.status }) : executionId;
    io.stdout.write(`${line}\n`);
    return EXIT_OK;
  }
  if (io.stderr.isTTY === true || options.verbose) {
    // The id is the service's text: quoted, so the line runs one runloop-tail command whatever it
    // holds; the id shown before it is made visible like every line of ours.
    const reattach = shellCommand(['runloop-tail', id, executionId, ...followArgs(options, settings)]);
    io.stderr.write(`runloop-tail: ${visibleControls(`started ${executionId} on ${id}`)}; re-attach with: ${reattach}\n`);
  }

  const followEnded = new AbortController();
  const stop = new AbortController();
  let say: (line: string) => void = (line) => void io.stderr.write(`runloop-tail: ${line}\n`);
  const killCommand = `runloop-tail kill ${id} ${executionId}`;
  if (attachStdin) {
    void forwardStdin({
      target,
      devboxId: id,
      executionId,
      input: request.forwardStdin ? io.stdin : undefined,
      maxRetries: options.maxRetries,
      signal: followEnded.signal,
      stopHint: `the command may be waiting for more input: stop it with ${killCommand}`,
    })
      .then(async (result) => {
        const note = await refusalNote(target, id, executionId, result, followEnded.signal);
        if (note !== undefined) say(note);
      })
      .catch((error: unknown) => stop.abort(error));
  }

  const interruptActions: Record<InterruptAction, (() => Promise<string>) | undefined> = {
    detach: undefined,
    interrupt: async () => {
      try {
        const result = await deliver({ target, devboxId: id, executionId, maxRetries: options.maxRetries, signal: followEnded.signal }, { signal: 'INTERRUPT' }, 'sending Ctrl-C');
        return result.sent ? `sent Ctrl-C to ${executionId}; following on (Ctrl-C again to detach)` : `could not send Ctrl-C: ${oneLine(result.error)}`;
      } catch (error) {
        return `could not send Ctrl-C: ${oneLine(error)}`;
      }
    },
    kill: async () => {
      try {
        const kill = () => killExecution(target, id, executionId, { processGroup: true }, followEnded.signal);
        await retryTransient('kill', kill, { maxRetries: options.maxRetries, signal: followEnded.signal });
        return `killed ${executionId} (its process group); showing the rest of its output (Ctrl-C again to detach)`;
      } catch (error) {
        return `could not kill ${executionId}: ${oneLine(error)}`;
      }
    },
  };

  try {
    return await runFollow(io, settings, { devboxId: id, executionId }, options, {
      firstInterrupt: interruptActions[request.onInterrupt],
      stop: stop.signal,
      notes: (follow) => {
        say = follow;
      },
    });
  } finally {
    followEnded.abort();
  }
}

/** A note when the service refused more stdin while the command still runs (its input is incomplete). */
async function refusalNote(
  target: ApiTarget,
  devboxId: string,
  executionId: string,
  result: ForwardOutcome,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (result.outcome !== 'refused') return undefined;
  try {
    const view = await getExecution(target, devboxId, executionId, signal);
    if (view.status === 'completed') return undefined; // it did not need the rest, as `yes | head -1`
  } catch {
    if (signal.aborted) return undefined;
  }
  return `stdin: the service took ${result.bytes} bytes, then refused more (${oneLine(result.error)}); stopped forwarding stdin`;
}
