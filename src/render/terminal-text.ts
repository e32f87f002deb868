/**
 * The plain mode on a terminal: one stream's chunks, as they come (no line assembly), decoded,
 * sanitised unless raw, and stderr in red when the output has colour. A pipe or file never goes
 * through here: it gets the bytes untouched.
 */

import type { StreamName } from '../stream/types.js';
import { chalkFor, type ColorLevel } from './color.js';
import { createSanitizer, type Sanitizer } from './sanitize.js';

/** One stream's chunk-to-terminal renderer; see {@link createTerminalRenderer}. */
export interface TerminalRenderer {
  /** The text to write for the next chunk; may be empty while a split character or sequence is held. */
  push(bytes: Uint8Array): string;
  /** The end of the stream: whatever is held, neutralised or replaced with U+FFFD. */
  flush(): string;
}

/** Options of {@link createTerminalRenderer}. */
export interface TerminalRendererOptions {
  readonly stream: StreamName;
  /** Colour level of the output written to. */
  readonly level: ColorLevel;
  /** Neutralise hostile escape sequences (on unless `--raw`). */
  readonly sanitize: boolean;
}

/** Creates the renderer of one stream shown on a terminal in plain mode. */
export function createTerminalRenderer(options: TerminalRendererOptions): TerminalRenderer {
  // Streaming decode: a chunk may end inside a multi-byte character. ignoreBOM keeps a U+FEFF the
  // remote wrote, as the bytes would have it.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const sanitizer: Sanitizer | undefined = options.sanitize ? createSanitizer() : undefined;
  const chalk = chalkFor(options.level);
  // Each run of text between line breaks is wrapped on its own (open … close), so no colour is
  // ever left open across a chunk or a line for the spinner or the other stream to inherit, and
  // no empty open/close pairs are written around the breaks themselves.
  const paint =
    options.stream === 'stderr' && options.level > 0 ? (text: string) => text.replace(/[^\r\n]+/g, (run) => chalk.red(run)) : (text: string) => text;

  function render(text: string): string {
    return text === '' ? '' : paint(text);
  }

  return {
    push(bytes) {
      const text = decoder.decode(bytes, { stream: true });
      return render(sanitizer === undefined ? text : sanitizer.push(text));
    },
    flush() {
      const text = decoder.decode();
      return render(sanitizer === undefined ? text : sanitizer.push(text) + sanitizer.flush());
    },
  };
}
