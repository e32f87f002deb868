/**
 * The JSON view of an execution, shaped like the SDK's DevboxAsyncExecutionDetailView.
 */
import type { ExecutionDetailView, StreamName } from '../api/wire.js';
import type { Execution } from './execution.js';
import { characterStart } from './utf8.js';

/** The most a view carries of each stream. */
export const viewTailBytes = 64 * 1024;
export const defaultViewLines = 100;

/** The last `lines` lines of a text (a final newline does not start a new line). */
export function lastLines(text: string, lines: number): string {
  let index = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let seen = 0; seen < lines; seen++) {
    index = text.lastIndexOf('\n', index - 1);
    if (index < 0) return text;
  }
  return text.slice(index + 1);
}

async function tail(execution: Execution, stream: StreamName, lines: number): Promise<{ text: string; truncated: boolean }> {
  const length = await execution.length(stream);
  const wanted = Math.max(0, length - viewTailBytes);
  // Three bytes more in front, to move the start back to the beginning of a character.
  const readFrom = Math.max(0, wanted - 3);
  const bytes = await execution.output.read(stream, readFrom, length);
  const at = wanted - readFrom;
  const start = characterStart(wanted, bytes.subarray(0, at), bytes[at]);
  const whole = bytes.subarray(start - readFrom).toString('utf8');
  const text = lastLines(whole, lines);
  return { text, truncated: start > 0 || text.length < whole.length };
}

/** Builds the view of an execution (reads the tails of its output files). */
export async function executionView(execution: Execution, lines = defaultViewLines): Promise<ExecutionDetailView> {
  // Read the state first: a view never says "completed" with tails read before completion.
  const status = execution.status;
  const exitStatus = execution.exitStatus;
  const [stdout, stderr] = await Promise.all([tail(execution, 'stdout', lines), tail(execution, 'stderr', lines)]);
  return {
    devbox_id: execution.devboxId,
    execution_id: execution.id,
    status,
    exit_status: status === 'completed' ? exitStatus : null,
    shell_name: execution.shellName,
    stdout: stdout.text,
    stdout_truncated: stdout.truncated,
    stderr: stderr.text,
    stderr_truncated: stderr.truncated,
  };
}
