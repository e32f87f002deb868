/**
 * The line-oriented modes (--prefix, --timestamps, --json): each stream's bytes are assembled into
 * lines so a line of one stream is never spliced into a line of the other. A partial line is held
 * until its newline, the end of the stream, or a short quiet spell.
 */
import type { Output } from '../io.js';
import type { ColorLevel } from '../render/color.js';
import { renderJsonLine } from '../render/json-lines.js';
import { createLineAssembler, type AssembledLine, type LineAssembler } from '../render/line-assembler.js';
import { renderLine, renderStreamEnd, type LineFormatOptions } from '../render/line-format.js';
import { createSanitizer, type Sanitizer } from '../render/sanitize.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { outputFor, whenWritable, type Outputs } from './raw-sink.js';

/** How long a partial line waits for its newline before it is shown anyway. */
export const QUIET_SPELL_MS = 300;

export interface LineSinkOptions {
  readonly mode: 'json' | 'decorated';
  readonly prefix: boolean;
  readonly timestamps: boolean;
  readonly merge: boolean;
  readonly raw: boolean;
  readonly levels: Readonly<Record<StreamName, ColorLevel>>;
  readonly now: () => Date;
  readonly beforeWrite: (output: Output, text: string | Buffer) => void;
  readonly quietSpellMs?: number;
}

interface StreamState {
  readonly assembler: LineAssembler;
  readonly sanitizer: Sanitizer | undefined;
  timer: NodeJS.Timeout | undefined;
}

export function createLineSink(outputs: Outputs, options: LineSinkOptions): OutputSink {
  // JSON lines are one document: both streams go to stdout.
  const merge = options.mode === 'json' || options.merge;
  const quietMs = options.quietSpellMs ?? QUIET_SPELL_MS;
  const states: Partial<Record<StreamName, StreamState>> = {};
  const stateOf = (stream: StreamName): StreamState => {
    const output = outputFor(outputs, stream, merge);
    states[stream] ??= {
      assembler: createLineAssembler(),
      sanitizer: options.mode === 'decorated' && output.isTTY === true && !options.raw ? createSanitizer() : undefined,
      timer: undefined,
    };
    return states[stream];
  };
  const formatOptions = (stream: StreamName, state: StreamState): LineFormatOptions => ({
    prefix: options.prefix,
    timestamps: options.timestamps,
    level: options.levels[stream],
    sanitizer: state.sanitizer,
  });
  const emit = (stream: StreamName, state: StreamState, lines: readonly AssembledLine[], extra?: Buffer) => {
    if (lines.length === 0 && (extra === undefined || extra.length === 0)) return;
    const context = { stream, time: options.now() };
    const parts: Buffer[] = [];
    for (const line of lines) {
      parts.push(options.mode === 'json' ? Buffer.from(renderJsonLine(line, context), 'utf8') : renderLine(line, context, formatOptions(stream, state)));
    }
    if (extra !== undefined) parts.push(extra);
    const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const output = outputFor(outputs, stream, merge);
    options.beforeWrite(output, data);
    output.write(data);
  };
  const flush = (stream: StreamName, state: StreamState) => {
    clearTimeout(state.timer);
    state.timer = undefined;
    emit(stream, state, state.assembler.flush());
  };
  return {
    write(stream, bytes, offset) {
      const state = stateOf(stream);
      emit(stream, state, state.assembler.push(bytes, offset));
      clearTimeout(state.timer);
      state.timer = state.assembler.pending() ? setTimeout(() => flush(stream, state), quietMs) : undefined;
    },
    ready: (stream) => whenWritable(outputFor(outputs, stream, merge)),
    end(stream) {
      const state = stateOf(stream);
      flush(stream, state);
      if (options.mode === 'decorated') emit(stream, state, [], renderStreamEnd({ stream, time: options.now() }, { ...formatOptions(stream, state), sanitizer: state.sanitizer }));
    },
    close() {
      for (const stream of Object.keys(states) as StreamName[]) {
        const state = states[stream];
        if (state) flush(stream, state);
      }
    },
  };
}
