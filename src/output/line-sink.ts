/**
 * The line-oriented modes (--prefix, --timestamps, --json): each stream's bytes are assembled into
 * lines so a line of one stream is never spliced into a line of the other.
 */
import type { ColorLevel } from '../render/color.js';
import { renderJsonLine } from '../render/json-lines.js';
import type { AssembledLine } from '../render/line-assembler.js';
import { renderLine, renderStreamEnd, type ExecutionLabel, type LineFormatOptions } from '../render/line-format.js';
import { createSanitizer, type Sanitizer } from '../render/sanitize.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { createLineBuffer, type LineBuffer } from './line-buffer.js';
import { outputFor, whenWritable, type BeforeWrite, type Outputs } from './raw-sink.js';

export interface LineSinkOptions {
  readonly mode: 'json' | 'decorated';
  readonly prefix: boolean;
  readonly timestamps: boolean;
  readonly merge: boolean;
  readonly raw: boolean;
  readonly levels: Readonly<Record<StreamName, ColorLevel>>;
  /**
   * `--color always`: stderr lines' text is coloured where the output is not a terminal too (a
   * terminal's always is, when it has colour); `auto` with FORCE_COLOR leaves a pipe's text exact.
   */
  readonly colorAlways?: boolean;
  readonly now: () => Date;
  readonly beforeWrite: BeforeWrite;
  readonly quietSpellMs?: number;
  /** Several executions at once: this one's label (decorated) or id (JSON) on each line. */
  readonly execution?: { readonly id: string; readonly label: ExecutionLabel } | undefined;
}

interface StreamState {
  readonly lines: LineBuffer;
  readonly sanitizer: Sanitizer | undefined;
}

export function createLineSink(outputs: Outputs, options: LineSinkOptions): OutputSink {
  // JSON lines are one document: both streams go to stdout.
  const merge = options.mode === 'json' || options.merge;
  const states: Partial<Record<StreamName, StreamState>> = {};
  const formatOptions = (stream: StreamName, sanitizer: Sanitizer | undefined): LineFormatOptions & { sanitizer: Sanitizer | undefined } => ({
    prefix: options.prefix,
    timestamps: options.timestamps,
    level: options.levels[stream],
    stderrText: options.colorAlways === true || outputFor(outputs, stream, merge).isTTY === true,
    sanitizer,
    label: options.execution?.label,
  });
  const write = (stream: StreamName, data: Buffer) => {
    if (data.length === 0) return;
    const output = outputFor(outputs, stream, merge);
    options.beforeWrite(output, data);
    output.write(data);
  };
  const stateOf = (stream: StreamName): StreamState => {
    const existing = states[stream];
    if (existing) return existing;
    const output = outputFor(outputs, stream, merge);
    const sanitizer = options.mode === 'decorated' && output.isTTY === true && !options.raw ? createSanitizer() : undefined;
    const render = (lines: readonly AssembledLine[]) => {
      const context = { stream, time: options.now(), execution: options.execution?.id };
      const parts = lines.map((line) =>
        options.mode === 'json' ? Buffer.from(renderJsonLine(line, context), 'utf8') : renderLine(line, context, formatOptions(stream, sanitizer)),
      );
      write(stream, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
    };
    const state = { lines: createLineBuffer(render, options.quietSpellMs), sanitizer };
    states[stream] = state;
    return state;
  };
  return {
    write: (stream, bytes, offset) => stateOf(stream).lines.push(bytes, offset),
    connected: (stream, connected) => stateOf(stream).lines.connected(connected),
    ready: (stream) => whenWritable(outputFor(outputs, stream, merge)),
    end(stream) {
      const state = stateOf(stream);
      state.lines.flush();
      if (options.mode === 'decorated') write(stream, renderStreamEnd({ stream, time: options.now(), execution: options.execution?.id }, formatOptions(stream, state.sanitizer)));
    },
    close() {
      for (const state of Object.values(states)) state?.lines.flush();
    },
  };
}
