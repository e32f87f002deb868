/**
 * Our own lines on stderr while a follow writes the remote's output: the notes and the spinner.
 * Neither ever lands inside a log line: on a terminal, whichever output wrote last decides whether
 * the cursor is at the start of a line; in a pipe, only what went to stderr (a note after a partial
 * line starts a new one). On a terminal a pending progress line is cleared and redrawn around a
 * note (see shared-line.ts).
 */
import type { ExecutionRef } from '../api/wire.js';
import type { Io, Output } from '../io.js';
import { decideColorLevel, type ColorFlag } from '../render/color.js';
import { noteLine } from '../render/status-line.js';
import { activityText, createActivityIndicator, type ActivityIndicator } from './activity.js';
import type { BeforeWrite } from './raw-sink.js';
import { createSharedLine, type SharedLine } from './shared-line.js';
import { createSpinner } from './spinner.js';

export interface Console {
  /** Writes one note (`runloop-tail: …`), its network-quoted text made visible. A function, not a method: callers take it apart from the console. */
  readonly say: (line: string) => void;
  /** What the spinner shows, driven by the follow's events and the sink's connections. */
  readonly activity: ActivityIndicator;
  /** To be called before every write of the remote's output (hides the spinner, tracks line starts). */
  readonly beforeWrite: BeforeWrite;
  /** The terminal row the streams and the notes share; undefined when neither output is a terminal. */
  readonly screen: SharedLine | undefined;
  /** Called before each note: writes what the view holds, so the output that came first shows first. */
  flushBefore(flush: () => void): void;
}

/** The console of a follow of `target` on `io`. */
export async function createConsole(io: Io, color: ColorFlag, target: ExecutionRef): Promise<Console> {
  const terminal = io.stderr.isTTY === true;
  const noteLevel = decideColorLevel({ flag: color, env: io.env, isTTY: terminal });
  const spinner = await createSpinner(io.stderr, io.env, noteLevel > 0);
  let terminalAtLineStart = true;
  let stderrAtLineStart = true;
  const atLineStart = () => (terminal ? terminalAtLineStart : stderrAtLineStart);
  const spin = (text: string) => {
    if (atLineStart()) spinner.start(text);
    else spinner.stop();
  };
  const activity = createActivityIndicator({ show: (now) => spin(activityText(now, target)), hide: () => spinner.stop() });
  const screen = io.stdout.isTTY === true || terminal ? createSharedLine(() => io.stderr.columns ?? io.stdout.columns) : undefined;
  let flushView = () => {};
  return {
    activity,
    screen,
    beforeWrite(output: Output, data: string | Buffer) {
      activity.output();
      if (data.length === 0) return;
      const endsLine = (typeof data === 'string' ? data.charCodeAt(data.length - 1) : data[data.length - 1]) === 0x0a;
      if (output.isTTY === true) terminalAtLineStart = endsLine;
      if (output === io.stderr) stderrAtLineStart = endsLine;
    },
    flushBefore(flush) {
      flushView = flush;
    },
    say(line) {
      flushView(); // the output that came before the note goes before it
      spinner.stop();
      const note = noteLine(line, terminal ? noteLevel : 0);
      const around = terminal && screen ? screen.around('note', note) : { before: '', after: '' };
      const before = around.before !== '' ? around.before : atLineStart() ? '' : '\n';
      io.stderr.write(before + note + around.after);
      terminalAtLineStart = terminal ? around.after === '' : terminalAtLineStart;
      stderrAtLineStart = around.after === '';
    },
  };
}
