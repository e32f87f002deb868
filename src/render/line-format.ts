/**
 * The decorated line modes, `--prefix` and `--timestamps`: one assembled line in, the bytes to
 * write out. Both streams' lines end up interleaved on one terminal or file, so every rendered line
 * ends with a newline and the next label always starts a line of its own.
 */

import type { StreamName } from '../stream/types.js';
import { chalkFor, type ColorLevel } from './color.js';
import type { AssembledLine } from './line-assembler.js';
import { paintRuns } from './paint-bytes.js';

/** Where and when a line was seen. */
export interface LineContext {
  readonly stream: StreamName;
  /** Arrival time of the line (the caller's clock). */
  readonly time: Date;
  /** The execution the line belongs to, when several are followed at once (`--json` names it). */
  readonly execution?: string | undefined;
}

/** The label of an execution when several are followed at once: its text and its colour's index. */
export interface ExecutionLabel {
  readonly text: string;
  readonly colorIndex: number;
}

/** A stateful text filter, such as the sanitiser of the line's stream. */
export interface TextFilter {
  push(text: string): string;
}

/** Options of {@link renderLine}. */
export interface LineFormatOptions {
  /** Put `stdout | ` / `stderr | ` before each line. */
  readonly prefix: boolean;
  /** Put the arrival time (ISO 8601, UTC, milliseconds) before each line, ahead of the label. */
  readonly timestamps: boolean;
  /** Colour level of the output written to; 0 adds no escape codes. */
  readonly level: ColorLevel;
  /**
   * Colour a stderr line's text too (red, as the plain view does), not only the decorations: on a
   * terminal, and with `--color always` in a pipe. Ignored at level 0 and for stdout, whose text is
   * never coloured by us.
   */
  readonly stderrText?: boolean | undefined;
  /**
   * The sanitiser of this line's stream, when the output is a terminal and not `--raw`. Without it
   * the line's bytes are copied exactly, which is what a pipe or a file must get.
   */
  readonly sanitizer?: TextFilter | undefined;
  /** The execution's label, first on each line, when several executions are followed at once. */
  readonly label?: ExecutionLabel | undefined;
}

// The lines of one chunk share their arrival time, so the last header is usually the next one;
// rebuilding it (toISOString and chalk) for every short line halves throughput.
let lastHeaderKey = '';
let lastHeader = '';

/** The decorations before a line: timestamp, then label, each followed by a space. */
export function lineHeader(context: LineContext, options: Pick<LineFormatOptions, 'prefix' | 'timestamps' | 'level' | 'label'>): string {
  const key = `${context.time.getTime()} ${context.stream} ${options.prefix} ${options.timestamps} ${options.level} ${options.label?.colorIndex} ${options.label?.text}`;
  if (key === lastHeaderKey) return lastHeader;
  const header = buildHeader(context, options);
  lastHeaderKey = key;
  lastHeader = header;
  return header;
}

/** The colours of execution labels, in argument order (then again from the first). */
const LABEL_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'redBright', 'cyanBright', 'magentaBright'] as const;

function buildHeader(context: LineContext, options: Pick<LineFormatOptions, 'prefix' | 'timestamps' | 'level' | 'label'>): string {
  const chalk = chalkFor(options.level);
  let header = '';
  if (options.timestamps) header += `${chalk.dim(context.time.toISOString())} `;
  if (options.label) header += `${chalk[LABEL_COLORS[options.label.colorIndex % LABEL_COLORS.length] ?? 'cyan'](options.label.text)} `;
  if (options.prefix) {
    // The label's colour tells the streams apart at a glance, also where the text is not coloured.
    const paint = context.stream === 'stderr' ? chalk.red : chalk.cyan;
    header += `${paint(`${context.stream} |`)} `;
  }
  return header;
}

/**
 * Renders one line for `--prefix` and/or `--timestamps`: header, the line, and a newline when the
 * line does not end with one (a partial line flushed after a quiet spell, the end of the stream, a
 * piece of an over-long line, or a lone-CR progress line, whose CR is kept but would otherwise let
 * the other stream's next line overwrite it).
 */
export function renderLine(line: AssembledLine, context: LineContext, options: LineFormatOptions): Buffer {
  const header = lineHeader(context, options);
  const needsNewline = (options.prefix || options.timestamps || options.label !== undefined) && line.bytes[line.bytes.length - 1] !== 0x0a;
  const paint = textPaint(context.stream, options);
  if (options.sanitizer !== undefined) {
    // Lines never split a UTF-8 character (the assembler cuts at character boundaries), so each
    // decodes on its own; invalid input shows as U+FFFD, which on a terminal is all it can be.
    const text = options.sanitizer.push(line.bytes.toString('utf8'));
    return Buffer.from(header + (paint ? paintText(text, paint) : text) + (needsNewline ? '\n' : ''), 'utf8');
  }
  // Without a sanitiser (a pipe or a file) the bytes stay exact between the colour's sequences.
  const parts = [Buffer.from(header, 'utf8'), paint ? paintRuns(line.bytes, paint.open, paint.close) : line.bytes];
  if (needsNewline) parts.push(NEWLINE);
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/** The open and close sequences of a stderr line's text colour. */
interface TextPaint {
  readonly open: string;
  readonly close: string;
}

const textPaints: (TextPaint | undefined)[] = [];

/** The colour of this line's text, or undefined when only the decorations are coloured. */
function textPaint(stream: StreamName, options: Pick<LineFormatOptions, 'level' | 'stderrText'>): TextPaint | undefined {
  if (stream !== 'stderr' || options.stderrText !== true || options.level === 0) return undefined;
  let paint = textPaints[options.level];
  if (paint === undefined) {
    const [open = '', close = ''] = chalkFor(options.level).red('\0').split('\0');
    paint = { open, close };
    textPaints[options.level] = paint;
  }
  return paint;
}

/**
 * Each run of text between line breaks wrapped on its own (as the plain view does), so no colour is
 * left open across the CR of a progress line, the newline, or the other stream's next line.
 */
function paintText(text: string, paint: TextPaint): string {
  return text.replace(/[^\r\n]+/g, (run) => paint.open + run + paint.close);
}

/**
 * What is left at the end of a stream in the line modes: a sanitiser may still hold an unfinished
 * escape sequence, which comes out neutralised as a last line of its own. Empty when nothing is held.
 */
export function renderStreamEnd(context: LineContext, options: LineFormatOptions & { readonly sanitizer?: { flush(): string } | undefined }): Buffer {
  const held = options.sanitizer?.flush() ?? '';
  if (held === '') return Buffer.alloc(0);
  const newline = options.prefix || options.timestamps || options.label !== undefined ? '\n' : '';
  const paint = textPaint(context.stream, options);
  return Buffer.from(lineHeader(context, options) + (paint ? paintText(held, paint) : held) + newline, 'utf8');
}
