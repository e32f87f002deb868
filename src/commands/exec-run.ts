/**
 * The work of `exec`, loaded only when it runs: start the command with execute_async, then follow
 * it like `tail` and return its exit status.
 */
import { executeAsync, killExecution } from '../api/client.js';
import { TransientFailure } from '../api/errors.js';
import { TailError, oneLine } from '../errors.js';
import type { Io } from '../io.js';
import { shellQuote } from '../render/status-line.js';
import type { FollowSettings } from './follow-options.js';
import { runFollow, settingsFor } from './follow-run.js';

/** What to start, already validated. */
export interface ExecRequest {
  readonly devboxId: string;
  /** The shell string for the remote shell. */
  readonly command: string;
  readonly shellName: string | undefined;
  /** On Ctrl-C, kill the remote command instead of printing how to re-attach. */
  readonly killOnInterrupt: boolean;
}

/** Starts the command, follows it to its end and returns the exit status. */
export async function runExec(io: Io, options: FollowSettings, request: ExecRequest): Promise<number> {
  const id = request.devboxId;
  const settings = await settingsFor(io, options);
  const target = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport: settings.transport };
  let view;
  try {
    view = await executeAsync(target, id, request.command, request.shellName, io.signal);
  } catch (error) {
    // Starting a command is not idempotent: never retried, one line either way.
    if (error instanceof TransientFailure) throw new TailError('network', `could not start the command on ${id}: ${error.message}`);
    throw error;
  }
  const executionId = view.execution_id;
  if (io.stderr.isTTY === true || options.verbose) {
    io.stderr.write(`runloop-tail: started ${executionId} on ${id}; re-attach with: ${shellQuote('runloop-tail')} ${id} ${executionId}\n`);
  }
  return runFollow(io, settings, { devboxId: id, executionId }, options, {
    onInterrupt: request.killOnInterrupt
      ? async () => {
          try {
            await killExecution(target, id, executionId);
            return `killed ${executionId}`;
          } catch (error) {
            return `could not kill ${executionId}: ${oneLine(error)}`;
          }
        }
      : undefined,
  });
}
