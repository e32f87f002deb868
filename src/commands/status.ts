/**
 * `runloop-tail status <devbox-id> <execution-id>`: one line (or the JSON view) about an execution;
 * the exit status is 0 while it is queued or running, and the command's own once it has completed,
 * so scripts can poll it.
 */
import { Command } from 'commander';
import { EXIT_FAILURE, EXIT_OK, remoteExitStatus } from '../errors.js';
import type { CommandContext } from './context.js';
import { addCallOptions, prepareCall, terminalSafeJson, type CallFlags } from './execution-call.js';

/** The exit status `status` ends with for a view. */
export function statusExit(view: { status: string; exit_status: number | null }): number {
  if (view.status !== 'completed') return EXIT_OK;
  return view.exit_status === null ? EXIT_FAILURE : remoteExitStatus(view.exit_status);
}

/** The one line for a view (ids are validated words, the status one of three, the code a number). */
export function statusLine(view: { devbox_id: string; execution_id: string; status: string; exit_status: number | null }): string {
  const where = `${view.execution_id} on ${view.devbox_id}`;
  if (view.status !== 'completed') return `${where}: ${view.status}`;
  return `${where}: completed, exit status ${view.exit_status ?? 'unknown'}`;
}

export function registerStatus(program: Command, context: CommandContext): void {
  const command = new Command('status')
    .description('say whether an execution is queued, running or completed; exits 0 until it completes, then with its exit status')
    .argument('<devbox-id>', 'the devbox, e.g. dbx_…')
    .argument('<execution-id>', 'the execution, e.g. exn_…');
  addCallOptions(command, "print the service's view of the execution as JSON").action(async (devboxId: string, executionId: string, flags: CallFlags) => {
    const call = await prepareCall(context.io, devboxId, executionId, flags);
    const { asExecutionView, callJson, executionUrl, VIEW_FIELDS } = await import('../api/client.js');
    // Without --json only the status fields are read (bounded memory: a completed view carries output).
    const fields = flags.json === true ? undefined : VIEW_FIELDS;
    const { retryTransient } = await import('../api/retry.js');
    const subject = { devboxId: call.devboxId, executionId: call.executionId, what: 'execution status' };
    const raw = await retryTransient(
      'the status request',
      () => callJson(call.target, executionUrl(call.target, call.devboxId, call.executionId), subject, { signal: context.io.signal, fields }),
      { maxRetries: call.maxRetries, signal: context.io.signal },
    );
    const view = asExecutionView(raw, subject.what);
    context.io.stdout.write(`${flags.json === true ? terminalSafeJson(raw) : statusLine({ ...view, devbox_id: call.devboxId, execution_id: call.executionId })}\n`);
    context.finish(statusExit(view));
  });
  program.addCommand(command);
}
