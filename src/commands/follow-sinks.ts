/**
 * What stands between the follower and the sink of the view: `--save DIR` (every byte to its file)
 * and `--tail N` (a ring per stream until the first burst ends). Kept apart from follow-run.ts so
 * that file only wires them in.
 */
import { openSaveFiles, type SaveFiles, type SaveTarget } from '../output/save-files.js';
import { createTailSink } from '../output/tail-sink.js';
import type { OutputSink } from '../stream/types.js';
import type { FollowSettings } from './follow-options.js';

export interface StartingSink {
  /** The sink the follower writes to. */
  readonly sink: OutputSink;
  /** To be told the execution's status when it left the queue. */
  readonly onStarted: (status: 'queued' | 'running' | 'completed') => void;
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

/** "stdout: the last 3 lines from byte 120, live from byte 160" (--verbose). */
export function tailNote(stream: string, lines: number, shownFrom: number | undefined, receivedTo: number | undefined): string {
  const live = receivedTo === undefined ? 'live from where it starts' : `live from byte ${receivedTo}`;
  return shownFrom === undefined ? `${stream}: no lines to show, ${live}` : `${stream}: the last ${lines} lines from byte ${shownFrom}, ${live}`;
}
