/**
 * Runs a follow for `tail` and `exec`: settings, sink, time-out, interrupt, and the exit status.
 */
import { TailError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_TIMEOUT, oneLine } from '../errors.js';
import type { Io } from '../io.js';
import { resolveSettings, describeSources, type ResolvedSettings } from '../settings/resolve.js';
import { followExecution, createProgress } from '../stream/follow-execution.js';
import type { FollowEvent, StreamName } from '../stream/types.js';
import { createRawSink } from '../output/raw-sink.js';
import type { FollowSettings } from './follow-options.js';
import { formatDuration } from './values.js';

export interface FollowTarget {
  readonly devboxId: string;
  readonly executionId: string;
}

/** Resolves the key and base URL for a follow (or exec), saying where they came from with --verbose. */
export async function settingsFor(io: Io, options: FollowSettings): Promise<ResolvedSettings> {
  const settings = await resolveSettings({ flags: options.flags, env: io.env });
  if (options.verbose) for (const line of describeSources(settings)) io.stderr.write(`runloop-tail: ${line}\n`);
  return settings;
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that continues from the given offsets. */
export function resumeCommand(target: FollowTarget, positions: Record<StreamName, number>, streams: readonly StreamName[]): string {
  const words = ['runloop-tail', target.devboxId, target.executionId];
  if (streams.includes('stdout')) words.push('--stdout-offset', String(positions.stdout));
  if (streams.includes('stderr')) words.push('--stderr-offset', String(positions.stderr));
  if (streams.length === 1) words.push(streams[0] === 'stdout' ? '--stdout-only' : '--stderr-only');
  return words.map(shellWord).join(' ');
}

/** A one-line note for an event, or undefined when it is not worth a line. */
function noteFor(event: FollowEvent, verbose: boolean): string | undefined {
  switch (event.type) {
    case 'gap':
      return `${event.stream}: ${event.length} bytes missing at byte ${event.offset} (the service no longer has them); the output goes on`;
    case 'retrying':
      if (event.stream === 'status') return `status: ${event.reason}; retrying in ${formatDuration(event.delayMs)} (attempt ${event.attempt})`;
      return `${event.stream}: ${event.reason}; reconnecting from byte ${event.offset}${event.attempt > 0 ? `, attempt ${event.attempt}` : ''}`;
    case 'waiting':
      return verbose ? 'the execution is queued; waiting for it to start' : undefined;
    case 'resent':
      return verbose ? `${event.stream}: skipped ${event.bytes} bytes the service sent again` : undefined;
    case 'drained':
      return verbose ? `${event.stream}: complete at byte ${event.offset}` : undefined;
    case 'completed':
      return verbose ? `the command exited with status ${event.exitStatus ?? 'unknown'}` : undefined;
    default:
      return undefined;
  }
}

/** Follows an execution to its end and returns the exit status; prints resume offsets when it cannot finish. */
export async function runFollow(io: Io, settings: ResolvedSettings, target: FollowTarget, options: FollowSettings): Promise<number> {
  const progress = createProgress(options.startOffsets);
  const timeout = new AbortController();
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => timeout.abort(new TailError('timeout', `stopped after --timeout ${formatDuration(options.timeoutMs ?? 0)}`)), options.timeoutMs);
  const signal = AbortSignal.any([io.signal, timeout.signal]);
  const terminal = io.stderr.isTTY === true;
  const say = (line: string) => io.stderr.write(`runloop-tail: ${line}\n`);
  const sink = createRawSink(io, options.merge);
  const resumeHint = () => say(`resume with: ${resumeCommand(target, progress.positions, options.streams)}`);

  try {
    const result = await followExecution(
      {
        target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey },
        devboxId: target.devboxId,
        executionId: target.executionId,
        streams: options.streams,
        startOffsets: options.startOffsets,
        maxRetries: options.maxRetries,
        idleTimeoutMs: options.idleTimeoutMs,
        signal,
        sink,
        onEvent: (event) => {
          // In a pipe only what means the output is incomplete; on a terminal or --verbose, more.
          const note = event.type === 'gap' || terminal || options.verbose ? noteFor(event, options.verbose) : undefined;
          if (note) say(note);
        },
      },
      progress,
    );
    if (result.missingBytes > 0) {
      say(`the output is incomplete: ${result.missingBytes} bytes were lost; the command exited with status ${result.exitStatus ?? 'unknown'}`);
      return EXIT_FAILURE;
    }
    if (result.exitStatus === null) {
      say('the execution completed without an exit status');
      return EXIT_FAILURE;
    }
    return result.exitStatus >= 0 && result.exitStatus <= 255 ? result.exitStatus : EXIT_FAILURE;
  } catch (error) {
    if (io.signal.aborted) {
      resumeHint();
      return EXIT_INTERRUPTED;
    }
    if (timeout.signal.aborted) {
      say(oneLine(timeout.signal.reason));
      resumeHint();
      return EXIT_TIMEOUT;
    }
    if (error instanceof TailError) {
      say(oneLine(error));
      if (error.kind === 'retries-exhausted' || error.kind === 'protocol') resumeHint();
      return error.exitStatus;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
