/**
 * Plain mode with at least one output on a terminal: a terminal gets decoded, sanitised (unless
 * --raw) and coloured text; an output that is not a terminal still gets the exact bytes.
 */
import type { Output } from '../io.js';
import type { ColorLevel } from '../render/color.js';
import { createTerminalRenderer, type TerminalRenderer } from '../render/terminal-text.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { outputFor, whenWritable, type Outputs } from './raw-sink.js';

export interface TerminalSinkOptions {
  readonly merge: boolean;
  readonly raw: boolean;
  readonly levels: Readonly<Record<StreamName, ColorLevel>>;
  /** Called before anything is written (the spinner must be cleared first). */
  readonly beforeWrite: (output: Output, text: string | Buffer) => void;
}

export function createTerminalSink(outputs: Outputs, options: TerminalSinkOptions): OutputSink {
  const renderers: Partial<Record<StreamName, TerminalRenderer>> = {};
  const rendererFor = (stream: StreamName): TerminalRenderer | undefined => {
    if (outputFor(outputs, stream, options.merge).isTTY !== true) return undefined;
    renderers[stream] ??= createTerminalRenderer({ stream, level: options.levels[stream], sanitize: !options.raw });
    return renderers[stream];
  };
  const emit = (stream: StreamName, data: string | Buffer) => {
    if (data.length === 0) return;
    const output = outputFor(outputs, stream, options.merge);
    options.beforeWrite(output, data);
    output.write(data);
  };
  return {
    write(stream, bytes) {
      const renderer = rendererFor(stream);
      emit(stream, renderer ? renderer.push(bytes) : bytes);
    },
    ready: (stream) => whenWritable(outputFor(outputs, stream, options.merge)),
    end(stream) {
      const renderer = rendererFor(stream);
      if (renderer) emit(stream, renderer.flush());
    },
    close() {
      for (const stream of Object.keys(renderers) as StreamName[]) emit(stream, renderers[stream]?.flush() ?? '');
    },
  };
}
