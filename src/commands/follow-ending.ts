/**
 * How a follow ends: the exit status (each from the one table in errors.ts), the notes that say
 * why, and the --json records. Pure: the caller prints the notes and writes the records. Several
 * executions at once (follow-many.ts) end here too: each execution's own ending, then one for all.
 */
import { EXIT_FAILURE, EXIT_OK, TailError, exitStatusOf, interruptedStatus, oneLine, remoteExitStatus, signalOf } from '../errors.js';
import type { JsonStopRecord } from '../render/json-lines.js';
import { NO_EXIT_STATUS_NOTE, exitStatusNote, failFastNote, incompleteNote, interruptedNote, resumeNote } from '../render/status-line.js';
import type { FollowResult } from '../stream/follow-execution.js';

export interface Ending {
  readonly status: number;
  /** The notes that say why, in order. */
  readonly notes: readonly string[];
  /** The --json exit record's values, when the execution completed with an exit status. */
  readonly exit?: { readonly exitStatus: number; readonly missingBytes: number } | undefined;
  /** The --json stop record (its offsets added by the caller), when this ending has one. */
  readonly record?: Omit<JsonStopRecord, 'offsets'>;
  /** Not a failure we know: after the notes and the record, the error goes on up. */
  readonly rethrow?: boolean;
}

/** One of several executions: the process exits with one status for all, so each one's own is said. */
export interface OneOfSeveral {
  /** --verbose: an exit status of 0 is said too. */
  readonly verbose: boolean;
}

/**
 * A follow that ran to the end: the command's status, unless the output or the service let it
 * down; `several` when it is one of several executions.
 */
export function completedEnding(result: FollowResult, saveFailure: string | undefined, several?: OneOfSeveral): Ending {
  if (saveFailure !== undefined) {
    // The save files said why when they failed.
    return { status: EXIT_FAILURE, notes: [], record: { event: 'failure', status: EXIT_FAILURE, kind: 'save', message: saveFailure } };
  }
  const exit = result.exitStatus === null ? undefined : { exitStatus: result.exitStatus, missingBytes: result.missingBytes };
  if (result.missingBytes > 0) return { status: EXIT_FAILURE, notes: [incompleteNote(result.missingBytes, result.exitStatus)], exit };
  if (result.exitStatus === null) {
    return { status: EXIT_FAILURE, notes: [NO_EXIT_STATUS_NOTE], record: { event: 'failure', status: EXIT_FAILURE, kind: 'protocol', message: NO_EXIT_STATUS_NOTE } };
  }
  const said = several !== undefined && (several.verbose || result.exitStatus !== 0);
  return { status: remoteExitStatus(result.exitStatus), notes: said ? [exitStatusNote(result.exitStatus)] : [], exit };
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
  return stopEnding(stops, resume) ?? failedEnding(error, resume);
}

/** The ending of the first of `stops` that fired, or undefined when none did. */
function stopEnding(stops: Stops, resume: () => string): Ending | undefined {
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
  return undefined;
}

/**
 * A follow that failed with `error`, no stop having fired. `resume` gives the command that goes
 * on from where it stopped; without it (one of several executions, whose ending gives one resume
 * command for all those not finished) none is said.
 */
export function failedEnding(error: unknown, resume?: () => string): Ending {
  if (error instanceof TailError) {
    const message = oneLine(error);
    // The service failed us midway: the same command goes on from here once it is back.
    const resumable = resume !== undefined && (error.kind === 'retries-exhausted' || error.kind === 'protocol');
    return {
      status: error.exitStatus,
      notes: resumable ? [message, resumeNote(resume())] : [message],
      record: { event: 'failure', status: error.exitStatus, kind: error.kind, message },
    };
  }
  return { status: EXIT_FAILURE, notes: [], record: { event: 'failure', status: EXIT_FAILURE, kind: 'internal', message: oneLine(error) }, rethrow: true };
}

/** How one of several executions' follows ended. */
export type Outcome =
  /** It completed (`status` is its exit status, or 255 when its output is incomplete) or failed for good. */
  | { readonly kind: 'ended'; readonly status: number }
  /** It was stopped before its end (Ctrl-C, --timeout, --fail-fast): it can be resumed. */
  | { readonly kind: 'stopped' };

/** The exit status of several executions: 0 when all exited 0, else the first (argument order) that did not. */
export function combinedStatus(outcomes: readonly (Outcome | undefined)[]): number {
  for (const outcome of outcomes) if (outcome?.kind === 'ended' && outcome.status !== EXIT_OK) return outcome.status;
  return EXIT_OK;
}

/** What can stop several executions' follows: a single follow's, and --fail-fast's. */
export interface SeveralStops extends Stops {
  /** Aborted when one execution ended with a status other than 0 under --fail-fast. */
  readonly failFast: AbortSignal;
}

/**
 * How several executions end, once each has its outcome: their combined status when all ended;
 * else the first stop that fired, said once for all, with `resume` going on with those stopped
 * (the stop record is each stopped execution's).
 */
export function severalEnding(outcomes: readonly (Outcome | undefined)[], stops: SeveralStops, resume: () => string): Ending {
  const status = combinedStatus(outcomes);
  if (outcomes.every((outcome) => outcome?.kind === 'ended')) return { status, notes: [] };
  const stopped = stopEnding(stops, resume);
  if (stopped !== undefined) return stopped;
  if (!stops.failFast.aborted) return { status, notes: [] };
  const message = failFastNote(resume());
  return { status, notes: [message], record: { event: 'stopped', status, message } };
}
