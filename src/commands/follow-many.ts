/**
 * Several executions at once (`runloop-tail dbx/exn dbx/exn …`): one follow per execution, each
 * with its own offsets, resume state and `--save` files, their lines labelled and never spliced
 * (stdout lines to stdout, stderr lines to stderr), and one exit status for all: 0 when every one
 * exited 0, else the status of the first, in argument order, that did not.
 */
import { EXIT_FAILURE, EXIT_OK, TailError, exitStatusOf, interruptedStatus, oneLine, remoteExitStatus, signalOf } from '../errors.js';
import { visibleControls } from '../render/sanitize.js';
import type { Io } from '../io.js';
import { createLineSink } from '../output/line-sink.js';
import { openSaveFiles, type SaveFiles } from '../output/save-files.js';
import { chalkFor, decideColorLevel } from '../render/color.js';
import { renderJsonExit, renderJsonStart, renderJsonStop, type JsonStopRecord } from '../render/json-lines.js';
import { NO_EXIT_STATUS_NOTE, incompleteNote, interruptedNote, resumeNote } from '../render/status-line.js';
import { shellQuote } from '../render/shell-quote.js';
import type { ResolvedSettings } from '../settings/resolve.js';
import type { Transport } from '../api/transport.js';
import { createProgress, followExecution, type FollowProgress } from '../stream/follow-execution.js';
import type { FollowEvent, StreamName } from '../stream/types.js';
import { followArgs } from './follow-args.js';
import type { FollowSettings } from './follow-options.js';
import { eventNote } from './follow-notes.js';
import { lineSinkOptions, startingSink } from './follow-sinks.js';
import { startTimeout } from './follow-timeout.js';
import { executionLabels, type ExecutionTarget } from './targets.js';
import { VERSION } from '../version.js';

export interface ManyOptions {
  /** Stop the others as soon as one ends with a status other than 0 (or fails). */
  readonly failFast: boolean;
}

/** How one execution's follow ended. */
export type Outcome =
  /** It completed (`status` is its exit status, or 255 when its output is incomplete) or failed for good. */
  | { readonly kind: 'ended'; readonly status: number }
  /** It was stopped before its end (Ctrl-C, --timeout, --fail-fast): it can be resumed. */
  | { readonly kind: 'stopped' };

interface Run {
  readonly target: ExecutionTarget;
  readonly progress: FollowProgress;
  outcome: Outcome | undefined;
}

/** The exit status of several executions: 0 when all exited 0, else the first (argument order) that did not. */
export function combinedStatus(outcomes: readonly (Outcome | undefined)[]): number {
  for (const outcome of outcomes) if (outcome?.kind === 'ended' && outcome.status !== EXIT_OK) return outcome.status;
  return EXIT_OK;
}

/**
 * The one command that continues every execution not yet finished: each as
 * `<devbox>/<execution>@<stdout-offset>,<stderr-offset>` (without offsets under `--save`, whose
 * files say where to resume), then the options that shape the follow.
 */
export function resumeManyCommand(
  targets: readonly { readonly devboxId: string; readonly executionId: string; readonly offsets: Readonly<Record<StreamName, number>> }[],
  extraArgs: readonly string[],
  saving: boolean,
): string {
  const words = targets.map((t) => `${t.devboxId}/${t.executionId}${saving ? '' : `@${t.offsets.stdout},${t.offsets.stderr}`}`);
  return ['runloop-tail', ...words, ...extraArgs].map(shellQuote).join(' ');
}

/** Follows every target to its end and returns the combined exit status. */
export async function runFollowMany(
  io: Io,
  settings: ResolvedSettings & { readonly transport?: Transport },
  targets: readonly ExecutionTarget[],
  options: FollowSettings,
  many: ManyOptions,
): Promise<number> {
  const labels = executionLabels(targets.map((target) => target.executionId));
  const timeout = startTimeout(options.timeoutMs);
  const stopOthers = new AbortController();
  const signal = AbortSignal.any([io.signal, timeout.signal, stopOthers.signal]);

  const terminal = io.stderr.isTTY === true;
  const noteLevel = decideColorLevel({ flag: options.color, env: io.env, isTTY: terminal });
  // Every view here writes whole lines (a partial line gets its newline), so a note never lands inside one.
  const say = (line: string) => {
    const text = `runloop-tail: ${visibleControls(line)}`;
    io.stderr.write(`${terminal ? chalkFor(noteLevel).dim(text) : text}\n`);
  };

  // Every --save file is opened before anything is contacted: a DIR that fails, fails for all.
  const saves: (SaveFiles | undefined)[] = [];
  try {
    for (const target of targets) {
      const name = (labels[saves.length] ?? target.executionId).trim();
      saves.push(options.save === undefined ? undefined : openSaveFiles(options.save, target, options.streams, { onFailure: (m) => say(`${name}: ${m}`) }));
    }
  } catch (error) {
    for (const save of saves) save?.close();
    throw error;
  }

  const runs: Run[] = targets.map((target, index) => ({
    target,
    progress: createProgress(saves[index]?.offsets ?? target.offsets ?? options.startOffsets),
    outcome: undefined,
  }));

  // --json: the records of a single follow, each naming its execution: a first one per execution,
  // and a last one however it ended (offsets: where its delivered output ends).
  const json = (record: string) => {
    if (options.json) io.stdout.write(record);
  };
  const jsonStop = (run: Run, record: Omit<JsonStopRecord, 'offsets' | 'execution'>) =>
    json(renderJsonStop({ ...record, execution: run.target.executionId, offsets: { ...run.progress.positions } }));
  for (const { target, progress } of runs) {
    json(
      renderJsonStart({
        execution: target.executionId,
        version: VERSION,
        devbox_id: target.devboxId,
        execution_id: target.executionId,
        streams: options.streams,
        offsets: { ...progress.positions },
      }),
    );
  }

  const policy = { verbose: options.verbose, terminal };
  const follow = async (run: Run, index: number): Promise<Outcome> => {
    const { target } = run;
    const name = (labels[index] ?? target.executionId).trim();
    const note = (line: string) => say(`${name}: ${line}`);
    const save = saves[index];
    const view = createLineSink(
      io,
      lineSinkOptions(io, options, () => {}, { id: target.executionId, label: { text: labels[index] ?? target.executionId, colorIndex: index } }),
    );
    const { sink, onStarted } = startingSink(view, options, note, save);
    const onEvent = (event: FollowEvent) => {
      const said = eventNote(event, policy);
      if (said !== undefined) note(said);
    };
    try {
      const result = await followExecution(
        {
          target: { baseUrl: settings.baseUrl, apiKey: settings.apiKey, transport: settings.transport },
          devboxId: target.devboxId,
          executionId: target.executionId,
          streams: options.streams,
          startOffsets: { ...run.progress.positions },
          maxRetries: options.maxRetries,
          idleTimeoutMs: options.idleTimeoutMs,
          signal,
          sink,
          onEvent,
          onStarted,
        },
        run.progress,
      );
      save?.complete(result.exitStatus);
      if (save?.failure !== undefined) {
        jsonStop(run, { event: 'failure', status: EXIT_FAILURE, kind: 'save', message: save.failure });
        return { kind: 'ended', status: EXIT_FAILURE };
      }
      if (result.exitStatus !== null) json(renderJsonExit(result.exitStatus, target.executionId, result.missingBytes));
      if (result.missingBytes > 0) {
        note(incompleteNote(result.missingBytes, result.exitStatus));
        return { kind: 'ended', status: EXIT_FAILURE };
      }
      if (result.exitStatus === null) {
        note(NO_EXIT_STATUS_NOTE);
        jsonStop(run, { event: 'failure', status: EXIT_FAILURE, kind: 'protocol', message: NO_EXIT_STATUS_NOTE });
        return { kind: 'ended', status: EXIT_FAILURE };
      }
      if (options.verbose || result.exitStatus !== 0) note(`exited with status ${result.exitStatus}`);
      return { kind: 'ended', status: remoteExitStatus(result.exitStatus) };
    } catch (error) {
      // Whatever is held (a partial line, a --tail ring) is written, so the offsets match the output.
      sink.close();
      if (signal.aborted) return { kind: 'stopped' };
      if (error instanceof TailError) {
        note(oneLine(error));
        jsonStop(run, { event: 'failure', status: error.exitStatus, kind: error.kind, message: oneLine(error) });
        return { kind: 'ended', status: error.exitStatus };
      }
      jsonStop(run, { event: 'failure', status: EXIT_FAILURE, kind: 'internal', message: oneLine(error) });
      throw error;
    } finally {
      save?.close();
    }
  };

  // The same options as a single follow's resume line (never the key), then --fail-fast.
  const extraArgs = [...followArgs(options, settings), ...(many.failFast ? ['--fail-fast'] : [])];
  const resume = () =>
    resumeManyCommand(
      runs.filter((run) => run.outcome?.kind !== 'ended').map((run) => ({ ...run.target, offsets: run.progress.positions })),
      extraArgs,
      options.save !== undefined,
    );

  try {
    await Promise.all(
      runs.map(async (run, index) => {
        run.outcome = await follow(run, index);
        if (many.failFast && run.outcome.kind === 'ended' && run.outcome.status !== 0 && !stopOthers.signal.aborted) {
          stopOthers.abort(new TailError('interrupted', 'stopped by --fail-fast'));
        }
      }),
    );
  } finally {
    timeout.clear();
  }

  const stopped = runs.filter((run) => run.outcome?.kind !== 'ended');
  const unfinished = stopped.length > 0;
  if (io.signal.aborted && unfinished) {
    const signalName = signalOf(io.signal.reason);
    const message = interruptedNote(resume(), signalName);
    say(message);
    const status = interruptedStatus(io.signal.reason);
    for (const run of stopped) jsonStop(run, { event: 'interrupt', status, signal: signalName ?? 'SIGINT', message });
    return status;
  }
  if (timeout.signal.aborted && unfinished) {
    const message = oneLine(timeout.signal.reason);
    say(message);
    say(resumeNote(resume()));
    const status = exitStatusOf(timeout.signal.reason);
    for (const run of stopped) jsonStop(run, { event: 'timeout', status, message });
    return status;
  }
  const status = combinedStatus(runs.map((run) => run.outcome));
  if (stopOthers.signal.aborted && unfinished) {
    const message = `--fail-fast stopped the others; resume them with: ${resume()}`;
    say(message);
    for (const run of stopped) jsonStop(run, { event: 'stopped', status, message });
  }
  return status;
}
