/**
 * How a follow ends: the exit status (each from the one table in errors.ts), the notes that say
 * why, and the --json stop record. Pure: the caller prints the notes and writes the record.
 */
import { EXIT_FAILURE, TailError, exitStatusOf, interruptedStatus, oneLine, remoteExitStatus, signalOf } from '../errors.js';
import type { JsonStopRecord } from '../render/json-lines.js';
import { NO_EXIT_STATUS_NOTE, incompleteNote, interruptedNote, resumeNote } from '../render/status-line.js';
import type { FollowResult } from '../stream/follow-execution.js';

export interface Ending {
  readonly status: number;
  /** The notes that say why, in order. */
  readonly notes: readonly string[];
  /** The --json stop record (its offsets added by the caller), when this ending has one. */
  readonly record?: Omit<JsonStopRecord, 'offsets'>;
  /** Not a failure we know: after the notes and the record, the error goes on up. */
  readonly rethrow?: boolean;
}

/** A follow that ran to the end: the command's status, unless the output or the service let it down. */
export function completedEnding(result: FollowResult, saveFailure: string | undefined): Ending {
  if (saveFailure !== undefined) {
    // The save files said why when they failed.
    return { status: EXIT_FAILURE, notes: [], record: { event: 'failure', status: EXIT_FAILURE, kind: 'save', message: saveFailure } };
  }
  if (result.missingBytes > 0) return { status: EXIT_FAILURE, notes: [incompleteNote(result.missingBytes, result.exitStatus)] };
  if (result.exitStatus === null) {
    return { status: EXIT_FAILURE, notes: [NO_EXIT_STATUS_NOTE], record: { event: 'failure', status: EXIT_FAILURE, kind: 'protocol', message: NO_EXIT_STATUS_NOTE } };
  }
  return { status: remoteExitStatus(result.exitStatus), notes: [] };
}

/** What can stop a follow before its end; the first that fired decides. */
export interface Stops {
  /** The user's (Ctrl-C, SIGTERM, SIGHUP). */
  readonly interrupt: AbortSignal;
  /** --timeout's. */
  readonly timeout: AbortSignal;
  /** The caller's, aborted with a TailError (exec: stdin could not be forwarded). */
  readonly stop?: AbortSignal | undefined;
}

/** A follow that ended early with `error`; `resume` gives the command that goes on from where it stopped. */
export function stoppedEnding(error: unknown, stops: Stops, resume: () => string): Ending {
  if (stops.interrupt.aborted) {
    const signal = signalOf(stops.interrupt.reason);
    const message = interruptedNote(resume(), signal);
    const status = interruptedStatus(stops.interrupt.reason);
    return { status, notes: [message], record: { event: 'interrupt', status, signal: signal ?? 'SIGINT', message } };
  }
  if (stops.timeout.aborted) {
    const message = oneLine(stops.timeout.reason);
    const status = exitStatusOf(stops.timeout.reason);
    return { status, notes: [message, resumeNote(resume())], record: { event: 'timeout', status, message } };
  }
  if (stops.stop?.aborted === true) {
    const reason: unknown = stops.stop.reason;
    const message = oneLine(reason);
    const status = exitStatusOf(reason);
    return { status, notes: [message], record: { event: 'failure', status, kind: reason instanceof TailError ? reason.kind : 'internal', message } };
  }
  if (error instanceof TailError) {
    const message = oneLine(error);
    // The service failed us midway: the same command goes on from here once it is back.
    const resumable = error.kind === 'retries-exhausted' || error.kind === 'protocol';
    return {
      status: error.exitStatus,
      notes: resumable ? [message, resumeNote(resume())] : [message],
      record: { event: 'failure', status: error.exitStatus, kind: error.kind, message },
    };
  }
  return { status: EXIT_FAILURE, notes: [], record: { event: 'failure', status: EXIT_FAILURE, kind: 'internal', message: oneLine(error) }, rethrow: true };
}
