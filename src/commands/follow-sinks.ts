/**
 * The sinks of a follow: the view for this output (raw bytes, a terminal, or lines: --prefix,
 * --timestamps, --json), with one set of line-sink options for a single follow and several, and
 * what stands between the follower and the view: `--save DIR` (every byte to its file) and
 * `--tail N` (a ring per stream until the first burst ends).
 */
import type { ExecutionStatus } from '../api/wire.js';
import type { Io, Output } from '../io.js';
import { createLineSink, type LineSinkOptions } from '../output/line-sink.js';
import { createRawSink, outputFor, type BeforeWrite, type BytePaint } from '../output/raw-sink.js';
import { openSaveFiles, type SaveFiles, type SaveTarget } from '../output/save-files.js';
import type { SharedLine } from '../output/shared-line.js';
import { createTailSink } from '../output/tail-sink.js';
import { createTerminalSink } from '../output/terminal-sink.js';
import { chalkFor, decideColorLevel, type ColorLevel } from '../render/color.js';
import { paintRuns } from '../render/paint-bytes.js';
import { tailNote } from '../render/status-line.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import type { FollowSettings } from './follow-options.js';

type ViewSettings = Pick<FollowSettings, 'json' | 'prefix' | 'timestamps' | 'merge' | 'raw' | 'color'>;

/** The colour level of the output each stream's bytes go to. */
export function streamLevels(io: Io, options: ViewSettings): Record<StreamName, ColorLevel> {
  const merge = options.merge || options.json;
  const levelOf = (output: Output) => decideColorLevel({ flag: options.color, env: io.env, isTTY: output.isTTY === true });
  return { stdout: levelOf(outputFor(io, 'stdout', merge)), stderr: levelOf(outputFor(io, 'stderr', merge)) };
}

/**
 * `--color always` on an output that is not a terminal: stderr's bytes in red there too (a
 * terminal's are coloured by its renderer). `auto` with FORCE_COLOR leaves a pipe's bytes exact.
 */
function pipePaint(io: Io, options: ViewSettings, levels: Record<StreamName, ColorLevel>): BytePaint {
  const output = outputFor(io, 'stderr', options.merge || options.json);
  if (options.color !== 'always' || levels.stderr === 0 || output.isTTY === true) return {};
  const [open = '', close = ''] = chalkFor(levels.stderr).red('\0').split('\0');
  return { stderr: (bytes) => paintRuns(bytes, open, close) };
}

/** The line modes' options from the follow's settings (one execution, or this one of several). */
export function lineSinkOptions(
  io: Io,
  options: ViewSettings,
  beforeWrite: BeforeWrite,
  execution?: LineSinkOptions['execution'],
): LineSinkOptions {
  return {
    mode: options.json ? 'json' : 'decorated',
    prefix: options.prefix,
    timestamps: options.timestamps,
    merge: options.merge,
    raw: options.raw,
    levels: streamLevels(io, options),
    colorAlways: options.color === 'always',
    now: () => new Date(),
    beforeWrite,
    execution,
  };
}

/**
 * The view of one follow: lines for --json, --prefix and --timestamps; on a terminal, text line by
 * line (sharing its row with the notes); else the exact bytes.
 */
export function viewSink(io: Io, options: ViewSettings, beforeWrite: BeforeWrite, screen: SharedLine | undefined): OutputSink {
  if (options.json || options.prefix || options.timestamps) return createLineSink(io, lineSinkOptions(io, options, beforeWrite));
  const levels = streamLevels(io, options);
  const paint = pipePaint(io, options, levels);
  if (io.stdout.isTTY === true || io.stderr.isTTY === true) {
    return createTerminalSink(io, { merge: options.merge, raw: options.raw, levels, beforeWrite, screen, paint });
  }
  return createRawSink(io, options.merge, beforeWrite, paint);
}

export interface StartingSink {
  /** The sink the follower writes to. */
  readonly sink: OutputSink;
  /** To be told the execution's status when it left the queue. */
  readonly onStarted: (status: ExecutionStatus) => void;
}

/** The view's sink, behind `--tail` when it is given. */
export function startingSink(
  view: OutputSink,
  options: Pick<FollowSettings, 'tail' | 'verbose'>,
  say: (note: string) => void,
  save?: SaveFiles,
): StartingSink {
  const saved = (sink: OutputSink) => (save ? save.tee(sink) : sink);
  if (options.tail === undefined) return { sink: saved(view), onStarted: () => {} };
  const lines = options.tail;
  const tail = createTailSink(view, {
    lines,
    onBurstEnd: (stream, shownFrom, receivedTo) => {
      if (options.verbose) say(tailNote(stream, lines, shownFrom, receivedTo));
    },
  });
  return {
    // The files get every byte; the view only the tail.
    sink: saved(tail),
    // A completed execution's output is all there: its tail is exact, taken at the drain.
    onStarted: (status) => {
      if (status === 'completed') tail.executionCompleted();
    },
  };
}

/** Opens the --save files of the execution, or nothing without --save. */
export function openSave(options: Pick<FollowSettings, 'save' | 'streams'>, target: SaveTarget, onFailure: (message: string) => void): SaveFiles | undefined {
  return options.save === undefined ? undefined : openSaveFiles(options.save, target, options.streams, { onFailure });
}
