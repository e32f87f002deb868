/**
 * Runs a follow for `tail` and `exec`: settings, the sink for this output, the spinner and notes,
 * time-out and interrupt, and the exit status.
 */
import { TailError, EXIT_FAILURE, exitStatusOf, interruptedStatus, oneLine, remoteExitStatus, signalOf } from '../errors.js';
import type { Io, Output } from '../io.js';
import { chalkFor, decideColorLevel, type ColorLevel } from '../render/color.js';
import { renderJsonExit, renderJsonStart, renderJsonStop, type JsonStopRecord } from '../render/json-lines.js';
import { visibleControls } from '../render/sanitize.js';
import { gapNote, interruptedNote, reconnectNote, resumeCommand, waitingNote } from '../render/status-line.js';
import { resolveSettings, describeSources, type ResolvedSettings } from '../settings/resolve.js';
import { followExecution, createProgress } from '../stream/follow-execution.js';
import type { FollowEvent, OutputSink, StreamName } from '../stream/types.js';
import { createLineSink } from '../output/line-sink.js';
import { createRawSink, outputFor } from '../output/raw-sink.js';
import { createSpinner } from '../output/spinner.js';
import { prepareSaveDir } from '../output/save-files.js';
import { createTerminalSink } from '../output/terminal-sink.js';
import { activityText, createActivityIndicator } from '../output/activity.js';
import { createSharedLine } from '../output/shared-line.js';
import { paintRuns } from '../render/paint-bytes.js';
import { VERSION } from '../version.js';
import type { FollowSettings } from './follow-options.js';
import { formatDuration } from './values.js';
import { openSave, startingSink } from './follow-sinks.js';
import { networkFor } from './network.js';
import type { Transport } from '../api/transport.js';
import { followArgs } from './follow-args.js';
import { defaultBackoff } from '../stream/backoff.js';

export interface FollowTarget {
  readonly devboxId: string;
  readonly executionId: string;
}

export interface FollowExtras {
  /** Takes the first Ctrl-C: do this, print what it returns and keep following (a second Ctrl-C stops). */
  readonly firstInterrupt?: (() => Promise<string>) | undefined;
  /** Aborted with a TailError: stop following, print it and exit with its status. */
  readonly stop?: AbortSignal | undefined;
  /** Called once with the follow's way of printing a note (never inside a log line). */
  readonly notes?: ((say: (line: string) => void) => void) | undefined;
}

/** Settings of a follow: the key and base URL, and how requests reach it (default: directly). */
export type FollowApiSettings = ResolvedSettings & { readonly transport?: Transport };

/**
 * Resolves the key, base URL and proxy for a follow (or exec), saying where they came from and
 * which proxy the requests use with --verbose.
 */
export async function settingsFor(io: Io, options: FollowSettings): Promise<ResolvedSettings & { readonly transport: Transport }> {
  if (options.save !== undefined) prepareSaveDir(options.save);
  const settings = await resolveSettings({ flags: options.flags, env: io.env });
  const network = networkFor(io.env, settings.baseUrl, options.flags.insecure);
  if (options.verbose) for (const line of [...describeSources(settings), network.description]) io.stderr.write(`runloop-tail: ${visibleControls(line)}\n`);
  return { ...settings, transport: network.transport };
}

/** The colour level of the output each stream's bytes go to. */
function streamLevels(io: Io, options: FollowSettings): Record<StreamName, ColorLevel> {
  const merge = options.merge || options.json;
  const levelOf = (output: Output) => decideColorLevel({ flag: options.color, env: io.env, isTTY: output.isTTY === true });
  return { stdout: levelOf(outputFor(io, 'stdout', merge)), stderr: levelOf(outputFor(io, 'stderr', merge)) };
}

/**
 * `--color always` on an output that is not a terminal: stderr's bytes in red there too (a
 * terminal's are coloured by its renderer). `auto` with FORCE_COLOR leaves a pipe's bytes exact.
 */
function pipePaint(io: Io, options: FollowSettings, levels: Record<StreamName, ColorLevel>): Partial<Record<StreamName, (bytes: Buffer) => Buffer>> {
  const output = outputFor(io, 'stderr', options.merge || options.json);
  if (options.color !== 'always' || levels.stderr === 0 || output.isTTY === true) return {};
  const [open = '', close = ''] = chalkFor(levels.stderr).red('\0').split('\0');
  return { stderr: (bytes) => paintRuns(bytes, open, close) };
}

/** Follows an execution to its end and returns the exit status; prints resume offsets when it cannot finish. */
export async function runFollow(
  io: Io,
  settings: FollowApiSettings,
  target: FollowTarget,
  options: FollowSettings,
  extras: FollowExtras = {},
): Promise<number> {
  // --save: the files are opened first; what they hold says where the streams resume.
  const save = openSave(options, target, (message) => say(message));
  if (save) options = { ...options, startOffsets: save.offsets };
  const progress = createProgress(options.startOffsets);
  const timeout = new AbortController();
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => timeout.abort(new TailError('timeout', `stopped after --timeout ${formatDuration(options.timeoutMs ?? 0)}`)), options.timeoutMs);
  const signal = AbortSignal.any([io.signal, timeout.signal, ...(extras.stop ? [extras.stop] : [])]);

  const terminal = io.stderr.isTTY === true;
  const noteLevel = decideColorLevel({ flag: options.color, env: io.env, isTTY: terminal });
  const spinner = await createSpinner(io.stderr, io.env, noteLevel > 0);
  // Our notes and the spinner never land inside a log line: on a terminal, whichever output wrote
  // last decides; in a pipe, only what went to stderr (a note after a partial line starts a new one).
  let terminalAtLineStart = true;
  let stderrAtLineStart = true;
  const atLineStart = () => (terminal ? terminalAtLineStart : stderrAtLineStart);
  const spin = (text: string) => {
    if (atLineStart()) spinner.start(text);
    else spinner.stop();
  };
  const activity = createActivityIndicator({ show: (now) => spin(activityText(now, target)), hide: () => spinner.stop() });
  // The terminal row our notes and the remote's streams share (see shared-line.ts).
  const screen = io.stdout.isTTY === true || terminal ? createSharedLine(() => io.stderr.columns ?? io.stdout.columns) : undefined;
  const beforeWrite = (output: Output, data: string | Buffer) => {
    activity.output();
    if (data.length === 0) return;
    const endsLine = (typeof data === 'string' ? data.charCodeAt(data.length - 1) : data[data.length - 1]) === 0x0a;
    if (output.isTTY === true) terminalAtLineStart = endsLine;
    if (output === io.stderr) stderrAtLineStart = endsLine;
  };
  // Set once the view's sink exists (a note may come before it, from opening --save files).
  let flushView = () => {};
  const say = (line: string) => {
    flushView(); // the output that came before the note goes before it
    spinner.stop();
    // Our lines quote the network (error bodies, ids, reasons): never a control character raw.
    const text = `runloop-tail: ${visibleControls(line)}`;
    const note = `${terminal ? chalkFor(noteLevel).dim(text) : text}\n`;
    // On a terminal a pending progress line is cleared and redrawn around the note.
    const around = terminal && screen ? screen.around('note', note) : { before: '', after: '' };
    const before = around.before !== '' ? around.before : atLineStart() ? '' : '\n';
    io.stderr.write(before + note + around.after);
    terminalAtLineStart = terminal ? around.after === '' : terminalAtLineStart;
    stderrAtLineStart = around.after === '';
  };
  extras.notes?.(say);
  const firstInterrupt = extras.firstInterrupt;
  const releaseInterrupt = firstInterrupt && io.onInterrupt ? io.onInterrupt(() => void firstInterrupt().then(say)) : undefined;

  const levels = streamLevels(io, options);
  const view: OutputSink =
    options.json || options.prefix || options.timestamps
      ? createLineSink(io, {
          mode: options.json ? 'json' : 'decorated',
          prefix: options.prefix,
          timestamps: options.timestamps,
          merge: options.merge,
          raw: options.raw,
          levels,
          colorAlways: options.color === 'always',
          now: () => new Date(),
          beforeWrite,
        })
      : io.stdout.isTTY === true || io.stderr.isTTY === true
        ? createTerminalSink(io, { merge: options.merge, raw: options.raw, levels, beforeWrite, screen, paint: pipePaint(io, options, levels) })
        : createRawSink(io, options.merge, beforeWrite, pipePaint(io, options, levels));
  flushView = () => view.flush?.();
  const started = startingSink(view, options, say, save);
  const { onStarted } = started;
  const sink = activity.watch(started.sink);

  const onEvent = (event: FollowEvent) => {
    switch (event.type) {
      case 'connecting':
        activity.connecting(event.stream, event.attempt);
        return;
      case 'data':
        activity.output();
        return;
      case 'waiting':
        if (options.verbose) say(waitingNote(event.status));
        activity.queued();
        return;
      case 'retrying': {
        // A wait longer than the backoff ever makes by itself (a long Retry-After) is said even in
        // a pipe: a silent multi-minute pause looks like a hang.
        if (!terminal && !options.verbose && event.delayMs <= defaultBackoff.maxMs) return;
        const note =
          event.stream === 'status'
            ? `status: ${event.reason}; retrying in ${formatDuration(event.delayMs)} (attempt ${event.attempt})`
            : reconnectNote(event.stream, event.offset, event.attempt, { delayMs: event.delayMs, reason: event.reason });
        say(note);
        if (event.stream === 'status') activity.checkingStatus();
        else activity.reconnecting(event.stream, event.offset);
        return;
      }
      case 'gap':
        // Always, even in a pipe: it means the output is incomplete.
        say(gapNote(event.stream, event.offset, event.length));
        return;
      case 'resent':
        if (options.verbose) say(`${event.stream}: skipped ${event.bytes} bytes the service sent again`);
        return;
      case 'replaced':
        if (options.verbose) {
          say(`${event.stream}: the command wrote bytes that are not UTF-8 (before byte ${event.offset}); the service sends them as U+FFFD, offsets count the original bytes`);
        }
        return;
      case 'drained':
        if (options.verbose) say(`${event.stream}: complete at byte ${event.offset}`);
        return;
      case 'completed':
        if (options.verbose) say(`the command exited with status ${event.exitStatus ?? 'unknown'}`);
        return;
    }
  };

  const resume = () =>
    resumeCommand({
      devboxId: target.devboxId,
      executionId: target.executionId,
      stdoutOffset: progress.positions.stdout,
      stderrOffset: progress.positions.stderr,
      extraArgs: followArgs(options, settings),
    });

  // --json: the last record, whatever the ending; offsets are where the delivered output ends.
  const jsonStop = (record: Omit<JsonStopRecord, 'offsets'>) => {
    if (options.json) io.stdout.write(renderJsonStop({ ...record, offsets: { ...progress.positions } }));
  };
  if (options.json) {
    io.stdout.write(
      renderJsonStart({ version: VERSION, devbox_id: target.devboxId, execution_id: target.executionId, streams: options.streams, offsets: options.startOffsets }),
    );
  }

  try {
    const result = await followExecution(
      {
        target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport: settings.transport },
        devboxId: target.devboxId,
        executionId: target.executionId,
        streams: options.streams,
        startOffsets: options.startOffsets,
        maxRetries: options.maxRetries,
        idleTimeoutMs: options.idleTimeoutMs,
        signal,
        sink,
        onEvent,
        onStarted,
      },
      progress,
    );
    activity.stop();
    save?.complete(result.exitStatus);
    if (save?.failure !== undefined) {
      jsonStop({ event: 'failure', status: EXIT_FAILURE, kind: 'save', message: save.failure });
      return EXIT_FAILURE;
    }
    if (options.json && result.exitStatus !== null) io.stdout.write(renderJsonExit(result.exitStatus, undefined, result.missingBytes));
    if (result.missingBytes > 0) {
      say(`the output is incomplete: ${result.missingBytes} bytes were lost; the command exited with status ${result.exitStatus ?? 'unknown'}`);
      return EXIT_FAILURE;
    }
    if (result.exitStatus === null) {
      const message = 'the execution completed without an exit status';
      say(message);
      jsonStop({ event: 'failure', status: EXIT_FAILURE, kind: 'protocol', message });
      return EXIT_FAILURE;
    }
    return remoteExitStatus(result.exitStatus);
  } catch (error) {
    // Whatever is held (a partial line) is written, so the offsets below match the output.
    sink.close();
    activity.stop();
    if (io.signal.aborted) {
      const signalName = signalOf(io.signal.reason);
      const message = interruptedNote(resume(), signalName);
      say(message);
      const status = interruptedStatus(io.signal.reason);
      jsonStop({ event: 'interrupt', status, signal: signalName ?? 'SIGINT', message });
      return status;
    }
    if (timeout.signal.aborted) {
      say(oneLine(timeout.signal.reason));
      say(`resume with: ${resume()}`);
      const status = exitStatusOf(timeout.signal.reason);
      jsonStop({ event: 'timeout', status, message: oneLine(timeout.signal.reason) });
      return status;
    }
    if (extras.stop?.aborted) {
      const reason: unknown = extras.stop.reason;
      say(oneLine(reason));
      const status = exitStatusOf(reason);
      jsonStop({ event: 'failure', status, kind: reason instanceof TailError ? reason.kind : 'internal', message: oneLine(reason) });
      return status;
    }
    if (error instanceof TailError) {
      say(oneLine(error));
      if (error.kind === 'retries-exhausted' || error.kind === 'protocol') say(`resume with: ${resume()}`);
      jsonStop({ event: 'failure', status: error.exitStatus, kind: error.kind, message: oneLine(error) });
      return error.exitStatus;
    }
    jsonStop({ event: 'failure', status: EXIT_FAILURE, kind: 'internal', message: oneLine(error) });
    throw error;
  } finally {
    releaseInterrupt?.();
    clearTimeout(timer);
    activity.stop();
    save?.close();
  }
}
