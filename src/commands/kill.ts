/**
 * `runloop-tail kill <devbox-id> <execution-id> [--process-group]`: stops an execution (the service
 * sends it SIGTERM); quiet on success like kill(1), the JSON view with --json.
 */
import { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import type { CommandContext } from './context.js';
import { addCallOptions, callExecution, type CallFlags } from './execution-call.js';

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
    const body = flags.processGroup === true ? { kill_process_group: true } : {};
    await callExecution(context.io, devboxId, executionId, flags, { what: 'kill', request: 'the kill request', path: '/kill', method: 'POST', body });
    context.finish(EXIT_OK);
  });
  program.addCommand(command);
}
