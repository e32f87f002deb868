/**
 * `runloop-tail kill <devbox-id> <execution-id> [--process-group]`: stops an execution (the service
 * sends it SIGTERM); quiet on success like kill(1), the JSON view with --json.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import type { CommandContext } from './context.js';
import { addCallOptions, prepareCall, terminalSafeJson, type CallFlags } from './execution-call.js';

interface KillFlags extends CallFlags {
  processGroup?: boolean;
}

export function registerKill(program: Command, context: CommandContext): void {
  const command = new Command('kill')
    .description('stop an execution; --process-group stops every process it started too')
    .argument('<devbox-id>', 'the devbox, e.g. dbx_…')
    .argument('<execution-id>', 'the execution, e.g. exn_…')
    .option('--process-group', 'kill the whole process group (kill_process_group), not only the command');
  addCallOptions(command, "print the service's view of the execution as JSON").action(async (devboxId: string, executionId: string, flags: KillFlags) => {
    const call = await prepareCall(context.io, devboxId, executionId, flags);
    const { asExecutionView, callJson, executionUrl, VIEW_FIELDS } = await import('../api/client.js');
    // Without --json only the status fields are read (bounded memory: a completed view carries output).
    const fields = flags.json === true ? undefined : VIEW_FIELDS;
    const { retryTransient } = await import('../api/retry.js');
    const subject = { devboxId: call.devboxId, executionId: call.executionId, what: 'kill' };
    const body = flags.processGroup === true ? { kill_process_group: true } : {};
    // Killing twice does no harm, so a kill whose answer was lost is simply sent again.
    const raw = await retryTransient(
      'the kill request',
      () => callJson(call.target, executionUrl(call.target, call.devboxId, call.executionId, '/kill'), subject, { method: 'POST', body, signal: context.io.signal, fields }),
      { maxRetries: call.maxRetries, signal: context.io.signal },
    );
    asExecutionView(raw, subject.what);
    if (flags.json === true) context.io.stdout.write(`${terminalSafeJson(raw)}\n`);
    context.finish(EXIT_OK);
  });
  program.addCommand(command);
}
