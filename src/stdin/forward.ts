/**
 * Forwards a local input to the stdin of an execution: read, cut into pieces of UTF-8 text, send
 * each with send_std_in in order (one request at a time: order is all the API has), then EOF. The
 * I/O edge around the pure StdinPieces and nextSendStep.
 */
import type { Readable } from 'node:stream';
import { sendStdIn, type ApiTarget, type StdinMessage } from '../api/client.js';
import { TailError, oneLine } from '../errors.js';
import { nextSendStep, type MessageKind } from './delivery.js';
import { StdinPieces } from './pieces.js';

/**
 * Bytes per send_std_in. Each piece is one request and only one may be in flight (the API has no
 * offsets to reorder by), so larger pieces mean fewer round trips; 64 KiB is what a pipe read hands
 * over at once, and JSON-escaped it stays well under a megabyte even if every byte needs `\u00XX`.
 */
export const STDIN_PIECE_BYTES = 64 * 1024;

export interface ForwardOptions {
  readonly target: ApiTarget;
  readonly devboxId: string;
  readonly executionId: string;
  /** What to forward; undefined sends EOF at once (the command reads nothing). */
  readonly input: Readable | undefined;
  readonly maxPieceBytes?: number;
  /** Failures in a row, none of which reached the command, before giving up. */
  readonly maxRetries: number;
  /** Aborted when the follow ends: forwarding stops wherever it is. */
  readonly signal: AbortSignal;
  /** Words for the end of a failure message: how to stop the command that may wait for input. */
  readonly stopHint: string;
  readonly random?: () => number;
}

/** How forwarding ended (failures that leave the input incomplete or in doubt throw TailError('stdin')). */
export type ForwardOutcome =
  | { readonly outcome: 'eof'; readonly bytes: number }
  | { readonly outcome: 'stopped'; readonly bytes: number }
  /** The service refused text (the command completed, or closed its stdin). */
  | { readonly outcome: 'refused'; readonly bytes: number; readonly error: TailError };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

class Stopped extends Error {}

/**
 * Sends one message, retrying failures that certainly did not reach the command. Resolves true when
 * sent, false when refused (4xx); throws TailError('stdin') when it may or may not have arrived or
 * retries ran out, and Stopped when the signal aborted.
 */
export async function deliver(
  options: Pick<ForwardOptions, 'target' | 'devboxId' | 'executionId' | 'maxRetries' | 'signal' | 'random'>,
  message: StdinMessage,
  describe: string,
): Promise<{ sent: true } | { sent: false; error: TailError }> {
  const kind: MessageKind = 'text' in message ? 'text' : message.signal === 'EOF' ? 'eof' : 'interrupt';
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) throw new Stopped();
    try {
      await sendStdIn(options.target, options.devboxId, options.executionId, message, options.signal);
      return { sent: true };
    } catch (error) {
      if (options.signal.aborted) throw new Stopped();
      const step = nextSendStep(kind, error, attempt, options.maxRetries, random());
      switch (step.step) {
        case 'retry':
          await sleep(step.delayMs, options.signal);
          continue;
        case 'refused':
          return { sent: false, error: step.error };
        case 'in-doubt':
          throw new TailError('stdin', `${describe} failed in a way that leaves unknown whether it arrived (${oneLine(error)}); it is not resent, as that could repeat it`);
        case 'exhausted':
          throw new TailError('stdin', `${describe} failed ${attempt} times in a row (${step.reason})`);
      }
    }
  }
}

/** Forwards `input` to the execution's stdin, then EOF. */
export async function forwardStdin(options: ForwardOptions): Promise<ForwardOutcome> {
  const pieces = new StdinPieces(options.maxPieceBytes ?? STDIN_PIECE_BYTES);
  let bytes = 0;
  const input = options.input;
  const stopReading = () => input?.destroy();
  options.signal.addEventListener('abort', stopReading, { once: true });
  const fail = (what: string) =>
    new TailError('stdin', `${what}; ${bytes} bytes of stdin were delivered; ${options.stopHint}`);
  try {
    const sendText = async (batch: { pieces: readonly string[]; invalidAt?: number }): Promise<ForwardOutcome | undefined> => {
      for (const text of batch.pieces) {
        const size = Buffer.byteLength(text);
        try {
          const result = await deliver(options, { text }, `sending stdin bytes ${bytes}-${bytes + size}`);
          if (!result.sent) return { outcome: 'refused', bytes, error: result.error };
        } catch (error) {
          if (error instanceof TailError) throw fail(error.message);
          throw error;
        }
        bytes += size;
      }
      if (batch.invalidAt !== undefined) {
        throw fail(`stdin is not UTF-8 at byte ${batch.invalidAt} and send_std_in carries text only: stopped there rather than change the input`);
      }
      return undefined;
    };
    if (input !== undefined) {
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        const ended = await sendText(pieces.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
        if (ended !== undefined) return ended;
      }
      if (options.signal.aborted) return { outcome: 'stopped', bytes };
      const ended = await sendText(pieces.end());
      if (ended !== undefined) return ended;
    }
    try {
      // A refused EOF is done too: the command completed, or an earlier EOF whose answer was lost arrived.
      await deliver(options, { signal: 'EOF' }, 'sending EOF');
    } catch (error) {
      if (error instanceof TailError) throw fail(error.message);
      throw error;
    }
    return { outcome: 'eof', bytes };
  } catch (error) {
    if (error instanceof Stopped || options.signal.aborted) return { outcome: 'stopped', bytes };
    throw error;
  } finally {
    options.signal.removeEventListener('abort', stopReading);
  }
}
