/**
 * Runs a follow for `tail` and `exec`: wires the console (notes and spinner, output/console.ts),
 * the view's sink (follow-sinks.ts), the time-out (follow-timeout.ts), the notes of the follow's
 * events (follow-notes.ts) and the resume command, and ends as follow-ending.ts decides.
 */
import type { Io } from '../io.js';
import { renderJsonExit, renderJsonStart, renderJsonStop } from '../render/json-lines.js';
import { noteLine, resumeCommand } from '../render/status-line.js';
import { resolveSettings, describeSources, type ResolvedSettings } from '../settings/resolve.js';
import { followExecution, createProgress, type FollowOptions } from '../stream/follow-execution.js';
import type { FollowEvent } from '../stream/types.js';
import { createConsole } from '../output/console.js';
import { prepareSaveDir } from '../output/save-files.js';
import { VERSION } from '../version.js';
import type { FollowSettings } from './follow-options.js';
import { completedEnding, stoppedEnding, type Ending } from './follow-ending.js';
import { eventNote } from './follow-notes.js';
import { openSave, startingSink, viewSink } from './follow-sinks.js';
import { startTimeout } from './follow-timeout.js';
import { networkFor } from './network.js';
import type { Transport } from '../api/transport.js';
import { followArgs } from './follow-args.js';

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
  if (options.verbose) for (const line of [...describeSources(settings), network.description]) io.stderr.write(noteLine(line));
  return { ...settings, transport: network.transport };
}

/** What every follow tells the follower alike: where the execution is, which streams, how patient. */
export function followRequest(
  settings: FollowApiSettings,
  target: FollowTarget,
  options: Pick<FollowSettings, 'streams' | 'maxRetries' | 'idleTimeoutMs'>,
): Pick<FollowOptions, 'target' | 'devboxId' | 'executionId' | 'streams' | 'maxRetries' | 'idleTimeoutMs'> {
  return {
    target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport: settings.transport },
    devboxId: target.devboxId,
    executionId: target.executionId,
    streams: options.streams,
    maxRetries: options.maxRetries,
    idleTimeoutMs: options.idleTimeoutMs,
  };
}

/** Follows an execution to its end and returns the exit status; prints resume offsets when it cannot finish. */
export async function runFollow(
  io: Io,
  settings: FollowApiSettings,
  target: FollowTarget,
  options: FollowSettings,
  extras: FollowExtras = {},
): Promise<number> {
  const ui = await createConsole(io, options.color, target);
  const { say, activity } = ui;
  // --save: the files are opened first; what they hold says where the streams resume.
  const save = openSave(options, target, say);
  if (save) options = { ...options, startOffsets: save.offsets };
  const progress = createProgress(options.startOffsets);
  const timeout = startTimeout(options.timeoutMs);
  const signal = AbortSignal.any([io.signal, timeout.signal, ...(extras.stop ? [extras.stop] : [])]);

  extras.notes?.(say);
  const firstInterrupt = extras.firstInterrupt;
  const releaseInterrupt = firstInterrupt && io.onInterrupt ? io.onInterrupt(() => void firstInterrupt().then(say)) : undefined;

  const view = viewSink(io, options, ui.beforeWrite, ui.screen);
  ui.flushBefore(() => view.flush?.());
  const started = startingSink(view, options, say, save);
  const sink = activity.watch(started.sink);

  const policy = { verbose: options.verbose, terminal: io.stderr.isTTY === true };
  const onEvent = (event: FollowEvent) => {
    const note = eventNote(event, policy);
    if (note !== undefined) say(note);
    switch (event.type) {
      case 'connecting':
        return activity.connecting(event.stream, event.attempt);
      case 'data':
        return activity.output();
      case 'waiting':
        return activity.queued();
      case 'retrying':
        if (note === undefined) return;
        if (event.stream === 'status') activity.checkingStatus();
        else activity.reconnecting(event.stream, event.offset);
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

  // --json: the exit record when the execution completed with a status, then the last record,
  // whatever the ending; offsets are where the delivered output ends.
  const end = (ending: Ending): number => {
    if (options.json && ending.exit) io.stdout.write(renderJsonExit(ending.exit.exitStatus, undefined, ending.exit.missingBytes));
    for (const note of ending.notes) say(note);
    if (options.json && ending.record) io.stdout.write(renderJsonStop({ ...ending.record, offsets: { ...progress.positions } }));
    return ending.status;
  };
  if (options.json) {
    io.stdout.write(
      renderJsonStart({ version: VERSION, devbox_id: target.devboxId, execution_id: target.executionId, streams: options.streams, offsets: options.startOffsets }),
    );
  }

  try {
    const result = await followExecution(
      {
        ...followRequest(settings, target, options),
        startOffsets: options.startOffsets,
        signal,
        sink,
        onEvent,
        onStarted: started.onStarted,
      },
      progress,
    );
    activity.stop();
    save?.complete(result.exitStatus);
    return end(completedEnding(result, save?.failure));
  } catch (error) {
    // Whatever is held (a partial line) is written, so the offsets below match the output.
    sink.close();
    activity.stop();
    const ending = stoppedEnding(error, { interrupt: io.signal, timeout: timeout.signal, stop: extras.stop }, resume);
    const status = end(ending);
    if (ending.rethrow === true) throw error;
    return status;
  } finally {
    releaseInterrupt?.();
    timeout.clear();
    activity.stop();
    save?.close();
  }
}
