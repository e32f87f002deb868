import type { Readable, Writable } from 'node:stream';

/** A writable output with what we need to know about the terminal behind it. */
export type Output = Writable & { isTTY?: boolean; columns?: number; fd?: number };

/**
 * Everything a command may touch of the outside world. Only src/cli.ts builds this from `process`;
 * tests build their own.
 */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted on SIGINT, SIGTERM or SIGHUP, with `interruption(signal)` (errors.ts) as its reason:
   * `signalOf(reason)` names the signal, `interruptedStatus(reason)` is the status to end with.
   */
  readonly signal: AbortSignal;
  /**
   * Takes the next Ctrl-C (SIGINT) instead of aborting `signal`: `handler` runs once, and a Ctrl-C
   * after it aborts as usual. Returns a function that gives Ctrl-C back. Absent: Ctrl-C only aborts.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
}
