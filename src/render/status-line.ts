/**
 * The short notes runloop-tail writes about itself (spinner text, reconnect notes, the resume
 * command after Ctrl-C). Pure formatting; the caller decides where and whether they are shown.
 * Offsets are printed as plain digits so they can be copied into a command line.
 */

import type { StreamName } from '../stream/types.js';
import { shellCommand } from './shell-quote.js';

/** "connecting to execution exn_…" (devbox named when given). */
export function connectingNote(target: { readonly executionId: string; readonly devboxId?: string }): string {
  return target.devboxId === undefined
    ? `connecting to execution ${target.executionId}`
    : `connecting to execution ${target.executionId} on devbox ${target.devboxId}`;
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
  if (details.delayMs !== undefined && details.delayMs > 0) note += ` in ${formatSeconds(details.delayMs)}`;
  if (details.reason !== undefined && details.reason !== '') note += ` (${details.reason})`;
  return note;
}

/** "stderr: 512 bytes lost at byte 1024 (the server no longer has them)". */
export function gapNote(stream: StreamName, offset: number, length: number): string {
  return `${stream}: ${length} byte${length === 1 ? '' : 's'} lost at byte ${offset} (the server no longer has them)`;
}

/** "interrupted; resume with: runloop-tail …" (Ctrl-C), "stopped by SIGTERM; resume with: …". */
export function interruptedNote(resume: string, signal?: string): string {
  const what = signal === undefined || signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`;
  return `${what}; resume with: ${resume}`;
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

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
