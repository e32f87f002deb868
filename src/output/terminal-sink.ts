/**
 * Plain mode with at least one output on a terminal. A terminal gets decoded, sanitised (unless
 * --raw) and coloured text, line by line, so the remote's stdout and stderr never splice into each
 * other's lines on the screen however the service chunked them; an output that is not a terminal
 * still gets the exact bytes as they arrive.
 */
import type { ColorLevel } from '../render/color.js';
import { createTerminalRenderer, type TerminalRenderer } from '../render/terminal-text.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { createLineBuffer, type LineBuffer } from './line-buffer.js';
import { outputFor, whenWritable, type BeforeWrite, type BytePaint, type Outputs } from './raw-sink.js';
import type { SharedLine } from './shared-line.js';

export interface TerminalSinkOptions {
  readonly merge: boolean;
  readonly raw: boolean;
  readonly levels: Readonly<Record<StreamName, ColorLevel>>;
  readonly beforeWrite: BeforeWrite;
  readonly quietSpellMs?: number;
  /**
   * The terminal row the streams (and our notes) share: a stream's text never overwrites or
   * splices into another writer's unfinished row (see shared-line.ts).
   */
  readonly screen?: SharedLine;
  /** Colour for a stream whose output is not a terminal (`--color always`). */
  readonly paint?: BytePaint;
}

interface TerminalStream {
  readonly renderer: TerminalRenderer;
  readonly lines: LineBuffer;
}

export function createTerminalSink(outputs: Outputs, options: TerminalSinkOptions): OutputSink {
  const streams: Partial<Record<StreamName, TerminalStream | null>> = {};
  const emit = (stream: StreamName, data: string | Buffer) => {
    if (data.length === 0) return;
    const output = outputFor(outputs, stream, options.merge);
    let out = data;
    if (typeof data === 'string' && options.screen !== undefined) {
      const around = options.screen.around(stream, data);
      out = around.before + data + around.after;
    } else if (Buffer.isBuffer(data)) {
      out = options.paint?.[stream]?.(data) ?? data;
    }
    options.beforeWrite(output, out);
    output.write(out);
  };
  /** The terminal state of a stream, or null when its output is not a terminal. */
  const terminalOf = (stream: StreamName): TerminalStream | null => {
    const known = streams[stream];
    if (known !== undefined) return known;
    let state: TerminalStream | null = null;
    if (outputFor(outputs, stream, options.merge).isTTY === true) {
      const renderer = createTerminalRenderer({ stream, level: options.levels[stream], sanitize: !options.raw });
      const lines = createLineBuffer((ready) => emit(stream, ready.map((line) => renderer.push(line.bytes)).join('')), options.quietSpellMs);
      state = { renderer, lines };
    }
    streams[stream] = state;
    return state;
  };
  const finish = (stream: StreamName) => {
    const state = terminalOf(stream);
    if (!state) return;
    state.lines.flush();
    emit(stream, state.renderer.flush());
  };
  return {
    write(stream, bytes, offset) {
      const state = terminalOf(stream);
      if (state) state.lines.push(bytes, offset);
      else emit(stream, bytes);
    },
    connected: (stream, connected) => terminalOf(stream)?.lines.connected(connected),
    ready: (stream) => whenWritable(outputFor(outputs, stream, options.merge)),
    end: finish,
    close() {
      for (const stream of Object.keys(streams) as StreamName[]) finish(stream);
    },
  };
}
