/**
 * Several executions at once (`runloop-tail dbx/exn dbx/exn …`): one follow per execution, each
 * with its own offsets, resume state and `--save` files, their lines labelled and never spliced
 * (stdout lines to stdout, stderr lines to stderr), and one exit status for all: 0 when every one
 * exited 0, else the status of the first, in argument order, that did not. How each execution
 * ends, and all of them, is follow-ending.ts's (statuses, notes, --json records); this wires it.
 */
import { TailError } from '../errors.js';
import type { Io } from '../io.js';
import { createLineSink } from '../output/line-sink.js';
import type { SaveFiles } from '../output/save-files.js';
import { decideColorLevel } from '../render/color.js';
import { renderJsonExit, renderJsonStart, renderJsonStop } from '../render/json-lines.js';
import { noteLine, resumeManyCommand } from '../render/status-line.js';
import { createProgress, followExecution, type FollowProgress } from '../stream/follow-execution.js';
import type { FollowEvent } from '../stream/types.js';
import { followArgs } from './follow-args.js';
import { completedEnding, failedEnding, severalEnding, type Ending, type Outcome } from './follow-ending.js';
import type { FollowSettings } from './follow-options.js';
import { followRequest, type FollowApiSettings } from './follow-run.js';
import { eventNote } from './follow-notes.js';
import { lineSinkOptions, openSave, startingSink } from './follow-sinks.js';
import { startTimeout } from './follow-timeout.js';
import { executionLabels, type ExecutionTarget } from './targets.js';
import { VERSION } from '../version.js';

export interface ManyOptions {
  /** Stop the others as soon as one ends with a status other than 0 (or fails). */
  readonly failFast: boolean;
}

interface Run {
  readonly target: ExecutionTarget;
  readonly progress: FollowProgress;
  outcome: Outcome | undefined;
}

/** Follows every target to its end and returns the combined exit status. */
export async function runFollowMany(
  io: Io,
  settings: FollowApiSettings,
  targets: readonly ExecutionTarget[],
  options: FollowSettings,
  many: ManyOptions,
): Promise<number> {
  const labels = executionLabels(targets.map((target) => target.executionId));
  // Each execution's name in its notes: its label without the padding that aligns the lines.
  const names = targets.map((target, index) => (labels[index] ?? target.executionId).trim());
  const timeout = startTimeout(options.timeoutMs);
  const stopOthers = new AbortController();
  const signal = AbortSignal.any([io.signal, timeout.signal, stopOthers.signal]);

  const terminal = io.stderr.isTTY === true;
  const noteLevel = decideColorLevel({ flag: options.color, env: io.env, isTTY: terminal });
  // Every view here writes whole lines (a partial line gets its newline), so a note never lands inside one.
  const say = (line: string): void => {
    io.stderr.write(noteLine(line, terminal ? noteLevel : 0));
  };

  // Every --save file is opened before anything is contacted: a DIR that fails, fails for all.
  const saves: (SaveFiles | undefined)[] = [];
  try {
    for (const [index, target] of targets.entries()) saves.push(openSave(options, target, (m) => say(`${names[index]}: ${m}`)));
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
  const jsonStop = (run: Run, record: NonNullable<Ending['record']>) => json(renderJsonStop({ ...record, execution: run.target.executionId, offsets: { ...run.progress.positions } }));
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

  // One execution's own ending: its exit record, its notes (after its name), its stop record.
  const end = (run: Run, ending: Ending, note: (line: string) => void): number => {
    if (ending.exit) json(renderJsonExit(ending.exit.exitStatus, run.target.executionId, ending.exit.missingBytes));
    for (const line of ending.notes) note(line);
    if (ending.record) jsonStop(run, ending.record);
    return ending.status;
  };

  const policy = { verbose: options.verbose, terminal };
  const follow = async (run: Run, index: number): Promise<Outcome> => {
    const { target } = run;
    const note = (line: string) => say(`${names[index]}: ${line}`);
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
          ...followRequest(settings, target, options),
          startOffsets: { ...run.progress.positions },
          signal,
          sink,
          onEvent,
          onStarted,
        },
        run.progress,
      );
      save?.complete(result.exitStatus);
      return { kind: 'ended', status: end(run, completedEnding(result, save?.failure, { verbose: options.verbose }), note) };
    } catch (error) {
      // Whatever is held (a partial line, a --tail ring) is written, so the offsets match the output.
      sink.close();
      if (signal.aborted) return { kind: 'stopped' };
      // Not resumable on its own: the ending of all gives the one resume command.
      const ending = failedEnding(error);
      const status = end(run, ending, note);
      if (ending.rethrow === true) throw error;
      return { kind: 'ended', status };
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

  const ending = severalEnding(
    runs.map((run) => run.outcome),
    { interrupt: io.signal, timeout: timeout.signal, failFast: stopOthers.signal },
    resume,
  );
  for (const line of ending.notes) say(line);
  // Each execution stopped before its end gets the stop record, with its own offsets.
  if (ending.record) for (const run of runs) if (run.outcome?.kind !== 'ended') jsonStop(run, ending.record);
  return ending.status;
}
