/**
 * The notes runloop-tail writes about itself, every text in one place: reconnects, gaps, the
 * --verbose account of a follow, how it ended, and the resume command. Pure formatting; which
 * events become notes is follow-notes.ts's, where they are shown the console's (output/console.ts).
 * Offsets are printed as plain digits so they can be copied into a command line.
 */

import type { ExecutionRef } from '../api/wire.js';
import type { StreamName } from '../stream/types.js';
import { formatDuration } from '../duration.js';
import { chalkFor, type ColorLevel } from './color.js';
import { visibleControls } from './sanitize.js';
import { shellCommand } from './shell-quote.js';

/**
 * One note as stderr shows it: `runloop-tail: …` and a newline, dim at a colour `level` above 0 (the
 * caller gives 0 off a terminal). Our notes quote the network (error bodies, ids, reasons), so
 * control characters in them are made visible, never written raw.
 */
export function noteLine(note: string, level: ColorLevel = 0): string {
  const text = `runloop-tail: ${visibleControls(note)}`;
  return `${level > 0 ? chalkFor(level).dim(text) : text}\n`;
}

/** "execution is queued, waiting for it to start". */
export function waitingNote(status: 'queued'): string {
  return `execution is ${status}, waiting for it to start`;
}

/**
 * "stdout: reconnecting from byte 123456, attempt 3"; with details,
 * "stdout: reconnecting from byte 123456, attempt 3 in 1.5s (socket hang up)".
 */
export function reconnectNote(
  stream: StreamName,
  offset: number,
  attempt: number,
  details: { readonly delayMs?: number; readonly reason?: string } = {},
): string {
  let note = `${stream}: reconnecting from byte ${offset}, attempt ${attempt}`;
  if (details.delayMs !== undefined && details.delayMs > 0) note += ` in ${formatDuration(details.delayMs)}`;
  if (details.reason !== undefined && details.reason !== '') note += ` (${details.reason})`;
  return note;
}

/** "stderr: 512 bytes lost at byte 1024 (the server no longer has them)". */
export function gapNote(stream: StreamName, offset: number, length: number): string {
  return `${stream}: ${length} byte${length === 1 ? '' : 's'} lost at byte ${offset} (the server no longer has them)`;
}

/** "status: HTTP 503; retrying in 1.5s (attempt 2)": the status request failed and is retried. */
export function statusRetryNote(reason: string, delayMs: number, attempt: number): string {
  return `status: ${reason}; retrying in ${formatDuration(delayMs)} (attempt ${attempt})`;
}

/** "stdout: skipped 40 bytes the service sent again" (--verbose). */
export function resentNote(stream: StreamName, bytes: number): string {
  return `${stream}: skipped ${bytes} bytes the service sent again`;
}

/** The command wrote bytes that are not UTF-8, which the service sends as U+FFFD (--verbose). */
export function replacedNote(stream: StreamName, offset: number): string {
  return `${stream}: the command wrote bytes that are not UTF-8 (before byte ${offset}); the service sends them as U+FFFD, offsets count the original bytes`;
}

/** "stdout: complete at byte 1234" (--verbose). */
export function drainedNote(stream: StreamName, offset: number): string {
  return `${stream}: complete at byte ${offset}`;
}

/** "the command exited with status 3" (--verbose). */
export function exitedNote(exitStatus: number | null): string {
  return `the command exited with status ${exitStatus ?? 'unknown'}`;
}

/** "exited with status 3": one of several executions, after its name (--verbose: 0 too). */
export function exitStatusNote(exitStatus: number): string {
  return `exited with status ${exitStatus}`;
}

/** Some output never arrived: the follow fails whatever the command's status. */
export function incompleteNote(missingBytes: number, exitStatus: number | null): string {
  return `the output is incomplete: ${missingBytes} bytes were lost; the command exited with status ${exitStatus ?? 'unknown'}`;
}

/** The service said the execution completed and gave no exit status. */
export const NO_EXIT_STATUS_NOTE = 'the execution completed without an exit status';

/** "resume with: runloop-tail …", after a failure or --timeout. */
export function resumeNote(resume: string): string {
  return `resume with: ${resume}`;
}

/** "stdout: the last 3 lines from byte 120, live from byte 160" (--tail with --verbose). */
export function tailNote(stream: string, lines: number, shownFrom: number | undefined, receivedTo: number | undefined): string {
  const live = receivedTo === undefined ? 'live from where it starts' : `live from byte ${receivedTo}`;
  return shownFrom === undefined ? `${stream}: no lines to show, ${live}` : `${stream}: the last ${lines} lines from byte ${shownFrom}, ${live}`;
}

/** "interrupted; resume with: runloop-tail …" (Ctrl-C), "stopped by SIGTERM; resume with: …". */
export function interruptedNote(resume: string, signal?: string): string {
  const what = signal === undefined || signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`;
  return `${what}; resume with: ${resume}`;
}

/** "--fail-fast stopped the others; resume them with: runloop-tail …" (several executions). */
export function failFastNote(resume: string): string {
  return `--fail-fast stopped the others; resume them with: ${resume}`;
}

/** What {@link resumeCommand} needs. */
export interface ResumeTarget {
  readonly devboxId: string;
  readonly executionId: string;
  readonly stdoutOffset: number;
  readonly stderrOffset: number;
  /** Other options to repeat, e.g. `['--prefix', '--color', 'always']`; each is quoted. */
  readonly extraArgs?: readonly string[];
  /** The program name; default `runloop-tail`. */
  readonly program?: string;
}

/**
 * The command line that follows the same execution from the given offsets, each word quoted for a
 * POSIX shell: `runloop-tail dbx exn --stdout-offset 1 --stderr-offset 2 …`.
 */
export function resumeCommand(target: ResumeTarget): string {
  const words = [
    target.program ?? 'runloop-tail',
    target.devboxId,
    target.executionId,
    '--stdout-offset',
    String(target.stdoutOffset),
    '--stderr-offset',
    String(target.stderrOffset),
    ...(target.extraArgs ?? []),
  ];
  return shellCommand(words);
}

/**
 * The one command that continues every execution not yet finished: each as
 * `<devbox>/<execution>@<stdout-offset>,<stderr-offset>` (without offsets under `--save`, whose
 * files say where to resume), then the options that shape the follow.
 */
export function resumeManyCommand(
  targets: readonly (ExecutionRef & { readonly offsets: Readonly<Record<StreamName, number>> })[],
  extraArgs: readonly string[],
  saving: boolean,
): string {
  const words = targets.map((t) => `${t.devboxId}/${t.executionId}${saving ? '' : `@${t.offsets.stdout},${t.offsets.stderr}`}`);
  return shellCommand(['runloop-tail', ...words, ...extraArgs]);
}
