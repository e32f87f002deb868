/**
 * `runloop-tail status <devbox-id> <execution-id>`: one line (or the JSON view) about an execution;
 * the exit status is 0 while it is queued or running, and the command's own once it has completed,
 * so scripts can poll it.
 */
import { Command } from 'commander';
import type { ExecutionView } from '../api/client.js';
import { EXIT_FAILURE, EXIT_OK, remoteExitStatus } from '../errors.js';
import type { CommandContext } from './context.js';
import { addCallOptions, callExecution, type CallFlags } from './execution-call.js';

/** The exit status `status` ends with for a view. */
export function statusExit(view: Pick<ExecutionView, 'status' | 'exit_status'>): number {
  if (view.status !== 'completed') return EXIT_OK;
  return view.exit_status === null ? EXIT_FAILURE : remoteExitStatus(view.exit_status);
}

/** The one line for a view (ids are validated words, the status one of three, the code a number). */
export function statusLine(view: ExecutionView): string {
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
    const answer = await callExecution(context.io, devboxId, executionId, flags, { what: 'execution status', request: 'the status request' });
    if (flags.json !== true) context.io.stdout.write(`${statusLine({ ...answer.view, devbox_id: answer.devboxId, execution_id: answer.executionId })}\n`);
    context.finish(statusExit(answer.view));
  });
  program.addCommand(command);
}
