/**
 * The service's own shapes, as the API and its SDK name them: the one definition the client reads
 * and the local server (src/emulator) writes, so the two cannot drift apart.
 */

/** The two outputs of an execution (`stream_stdout_updates`, `stream_stderr_updates`). */
export type StreamName = 'stdout' | 'stderr';

/** Which execution: the two ids every call and every message names it by. */
export interface ExecutionRef {
  readonly devboxId: string;
  readonly executionId: string;
}

/** Where an execution is in its life. */
export type ExecutionStatus = 'queued' | 'running' | 'completed';

/** Every {@link ExecutionStatus}, in the order an execution goes through them. */
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['queued', 'running', 'completed'];

/** An execution as the API returns it: the SDK's DevboxAsyncExecutionDetailView. */
export interface ExecutionDetailView {
  devbox_id: string;
  execution_id: string;
  status: ExecutionStatus;
  /** null until the execution has completed. */
  exit_status: number | null;
  shell_name: string | null;
  /** The last `last_n` lines (default 100) of stdout so far, at most 64 KiB; the streams carry the rest. */
  stdout: string;
  /** True when `stdout` is not the whole output. */
  stdout_truncated: boolean;
  stderr: string;
  stderr_truncated: boolean;
}

/** True for one of the {@link ExecutionStatus} words. */
export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return (EXECUTION_STATUSES as readonly unknown[]).includes(value);
}
