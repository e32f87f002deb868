import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TailError, signalOf } from '../errors.js';

/** stdin as the prompt sees it: a terminal has `isTTY` and `setRawMode` (tty.ReadStream). */
export type SecretInput = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** Options of {@link readSecret}. */
export interface ReadSecretOptions {
  readonly input: SecretInput;
  /** Where the prompt goes (stderr): never the secret, which is not echoed. */
  readonly output: Writable;
  /** Shown on a terminal only, e.g. `Runloop API key (input hidden): `. */
  readonly prompt: string;
  /** Aborting it (SIGINT, SIGTERM) ends the read with TailError('interrupted'). */
  readonly signal?: AbortSignal;
  /** Piped input larger than this is refused; a key is far shorter. */
  readonly maxBytes?: number;
}

/** The most piped input {@link readSecret} accepts by default. */
export const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Reads one secret. On a terminal: a prompt on `output`, raw mode, no echo; Enter ends it,
 * Backspace and Ctrl-U edit, Ctrl-C throws TailError('interrupted') (exit 130), Ctrl-D on an empty
 * line ends it empty. From a pipe: all of the input, less one trailing newline.
 */
export function readSecret(options: ReadSecretOptions): Promise<string> {
  const { input } = options;
  if (input.isTTY && typeof input.setRawMode === 'function') return readFromTerminal(options);
  return readAll(options).then(stripOneNewline);
}

/** What a line editor does with the keys typed so far. */
export interface LineState {
  readonly text: string;
  readonly outcome: 'more' | 'submit' | 'interrupt';
}

/**
 * Applies keys from a raw-mode terminal to the hidden line: pure, so it is table-tested.
 * Escape sequences (arrows, function keys) and other control characters are ignored: the line
 * is invisible, so moving a cursor in it would only confuse.
 */
export function applyKeys(text: string, keys: string): LineState {
  let line = text;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    switch (key) {
      case '\r':
      case '\n':
        return { text: line, outcome: 'submit' };
      case '\u0003': // Ctrl-C
        return { text: '', outcome: 'interrupt' };
      case '\u0004': // Ctrl-D: end of input on an empty line, as a shell does
        if (line === '') return { text: line, outcome: 'submit' };
        break;
      case '\u007f': // Backspace (DEL on most terminals)
      case '\b':
        line = Array.from(line).slice(0, -1).join('');
        break;
      case '\u0015': // Ctrl-U: kill the line
        line = '';
        break;
      case '\u001b':
        i = skipEscapeSequence(keys, i);
        break;
      default:
        if (key >= ' ') line += key;
    }
  }
  return { text: line, outcome: 'more' };
}

/** Index of the last character of the escape sequence starting at `start` (an ESC). */
function skipEscapeSequence(keys: string, start: number): number {
  const introducer = keys[start + 1];
  if (introducer !== '[' && introducer !== 'O') return start; // a lone Esc key
  let i = start + 2;
  // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
  while (i < keys.length && /[\x20-\x3f]/.test(keys[i] as string)) i++;
  return Math.min(i, keys.length - 1);
}

function readFromTerminal(options: ReadSecretOptions): Promise<string> {
  const { input, output, signal } = options;
  return new Promise<string>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n'); // the Enter that raw mode did not echo
      outcome();
    };
    const onData = (chunk: Buffer | string) => {
      const state = applyKeys(text, typeof chunk === 'string' ? chunk : decoder.write(chunk));
      text = state.text;
      if (state.outcome === 'submit') finish(() => resolve(text));
      else if (state.outcome === 'interrupt') finish(() => reject(interrupted()));
    };
    const onEnd = () => finish(() => resolve(text));
    const onError = (error: Error) => finish(() => reject(error));
    const onAbort = () => finish(() => reject(interrupted(signal?.reason)));
    if (signal?.aborted) return reject(interrupted(signal.reason));
    output.write(options.prompt);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}

function readAll(options: ReadSecretOptions): Promise<string> {
  const { input, signal } = options;
  const maxBytes = options.maxBytes ?? MAX_SECRET_BYTES;
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      input.pause();
      outcome();
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) {
        finish(() =>
          reject(new TailError('usage', `more than ${maxBytes} bytes on stdin; expected one API key`)),
        );
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks).toString('utf8')));
    const onError = (error: Error) =>
      finish(() => reject(new TailError('usage', 'could not read stdin', { cause: error })));
    const onAbort = () => finish(() => reject(interrupted(signal?.reason)));
    if (signal?.aborted) return reject(interrupted(signal.reason));
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}

/** Drops one trailing newline (`\n` or `\r\n`), as `echo KEY |` adds; anything more is kept. */
export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Ctrl-C read from the terminal (no reason: SIGINT's status), or the signal that aborted the read. */
function interrupted(reason?: unknown): TailError {
  return new TailError('interrupted', 'interrupted; nothing was saved', { signal: signalOf(reason) });
}
