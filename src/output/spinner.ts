/**
 * The spinner on stderr while connecting, reconnecting or waiting. ora is loaded only when a
 * spinner can be shown: stderr is a terminal with a width (ora loops forever on 0 columns), and
 * neither CI nor TERM=dumb says otherwise.
 */
import type { Output } from '../io.js';

export interface Spinner {
  /** Shows (or updates) the spinner with this text. */
  start(text: string): void;
  /** Clears it from the screen; a no-op when it is not spinning. */
  stop(): void;
}

const none: Spinner = { start() {}, stop() {} };

/** Whether a spinner may be shown on this output. */
export function canSpin(output: Output, env: Readonly<Record<string, string | undefined>>): boolean {
  return output.isTTY === true && (output.columns ?? 0) > 0 && !env.CI && env.TERM !== 'dumb';
}

/** A spinner on `output`, or one that does nothing when it may not spin. */
export async function createSpinner(output: Output, env: Readonly<Record<string, string | undefined>>, colour: boolean): Promise<Spinner> {
  if (!canSpin(output, env)) return none;
  const { default: ora } = await import('ora');
  // discardStdin would put stdin in raw mode and swallow Ctrl-C on some terminals: we handle SIGINT ourselves.
  const spinner = ora({ stream: output, discardStdin: false, color: colour ? 'cyan' : false, hideCursor: true });
  return {
    start(text) {
      if (spinner.isSpinning) spinner.text = text;
      else spinner.start(text);
    },
    stop() {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}
