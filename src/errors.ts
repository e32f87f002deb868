/**
 * The error kinds of runloop-tail and the one table from kind to exit status.
 * Messages name what failed and the flag or command that fixes it; they never contain the API key.
 */

export type ErrorKind =
  | 'usage' // the command line was wrong
  | 'no-key' // no API key found
  | 'insecure' // refusing to send the key in clear
  | 'config' // the config store is unreadable or corrupted
  | 'auth' // 401: key rejected
  | 'forbidden' // 403
  | 'not-found' // 404: devbox or execution unknown
  | 'gone' // 410
  | 'bad-request' // 400 and other permanent 4xx
  | 'protocol' // the server answered something we cannot use
  | 'retries-exhausted' // transient failures in a row beyond --max-retries
  | 'network' // could not reach the server at all (after retries)
  | 'tls' // the server's certificate does not verify (never retried)
  | 'proxy' // the proxy refused the request (never retried)
  | 'stdin' // stdin could not be forwarded whole (not UTF-8, a send in doubt, retries exhausted)
  | 'timeout' // --timeout ran out
  | 'interrupted'; // Ctrl-C

/** Everything was done (and a remote command, if any, exited 0). */
export const EXIT_OK = 0;
/** `config get` of a setting that is not stored (as `git config --get`). */
export const EXIT_NOT_SET = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 124;
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGHUP, as a shell reports a process the signal ended. */
export const EXIT_HANGUP = 129;
/** 128 + SIGPIPE: the reader of stdout went away. */
export const EXIT_PIPE = 141;
/** 128 + SIGTERM. */
export const EXIT_TERMINATED = 143;
export const EXIT_FAILURE = 255;

const exitStatusByKind: Record<ErrorKind, number> = {
  usage: EXIT_USAGE,
  'no-key': EXIT_USAGE,
  insecure: EXIT_USAGE,
  config: EXIT_USAGE,
  auth: EXIT_FAILURE,
  forbidden: EXIT_FAILURE,
  'not-found': EXIT_FAILURE,
  gone: EXIT_FAILURE,
  'bad-request': EXIT_FAILURE,
  protocol: EXIT_FAILURE,
  'retries-exhausted': EXIT_FAILURE,
  network: EXIT_FAILURE,
  tls: EXIT_FAILURE,
  proxy: EXIT_FAILURE,
  stdin: EXIT_FAILURE,
  timeout: EXIT_TIMEOUT,
  interrupted: EXIT_INTERRUPTED,
};

/** The exit status the CLI ends with for an error of this kind. */
export function exitStatusFor(kind: ErrorKind): number {
  return exitStatusByKind[kind];
}

/**
 * The exit status after a signal asked us to stop (SIGINT 130, SIGHUP 129, SIGTERM 143); no signal
 * named (Ctrl-C read by a prompt in raw mode) is SIGINT's.
 */
export function exitStatusForSignal(signal: string | undefined): number {
  if (signal === 'SIGTERM') return EXIT_TERMINATED;
  if (signal === 'SIGHUP') return EXIT_HANGUP;
  return EXIT_INTERRUPTED;
}

/** True for a status a process can exit with: an integer from 0 to 255. */
export function isExitStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;
}

/**
 * The status runloop-tail ends with for a remote command's exit status: the same, so scripts see
 * the command's own; EXIT_FAILURE for a number no process exits with (the API checks it already).
 */
export function remoteExitStatus(exitStatus: number): number {
  return isExitStatus(exitStatus) ? exitStatus : EXIT_FAILURE;
}

/** An error runloop-tail expects and reports in one line. */
export class TailError extends Error {
  override readonly name = 'TailError';
  readonly kind: ErrorKind;
  /** The HTTP status that caused it, when there was one. */
  readonly status: number | undefined;
  /** For 'interrupted': the signal that asked us to stop ('SIGINT', 'SIGTERM', 'SIGHUP'), when one did. */
  readonly signal: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { status?: number; cause?: unknown; signal?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.signal = options.signal;
  }

  get exitStatus(): number {
    return this.kind === 'interrupted' ? exitStatusForSignal(this.signal) : exitStatusFor(this.kind);
  }
}

/** The reason cli.ts aborts the run's signal with when `signal` arrives. */
export function interruption(signal: string): TailError {
  return new TailError('interrupted', `interrupted by ${signal}`, { signal });
}

/** The signal an abort reason names: set for an {@link interruption}, else undefined. */
export function signalOf(reason: unknown): string | undefined {
  return reason instanceof TailError && reason.kind === 'interrupted' ? reason.signal : undefined;
}

/**
 * The exit status for why a run stopped, the one place it is decided: a TailError's own (an
 * interruption: its signal's), EXIT_FAILURE for anything else (an internal error).
 */
export function exitStatusOf(reason: unknown): number {
  return reason instanceof TailError ? reason.exitStatus : EXIT_FAILURE;
}

/**
 * The exit status of a run its Io signal stopped (see Io.signal): the interrupting signal's, and
 * SIGINT's when the reason names none (a test's bare abort()).
 */
export function interruptedStatus(reason: unknown): number {
  return exitStatusForSignal(signalOf(reason));
}

/** Flattens an error and its causes into one line ("a: b: c"), without stack traces. */
export function oneLine(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : thrownValueText(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}

/**
 * What a thrown value that is not an Error says: a string itself, a plain object its JSON (at most
 * 200 characters: "[object Object]" would say nothing).
 */
function thrownValueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'undefined':
      return String(value);
    case 'function':
      return 'a function';
    default:
      try {
        return (JSON.stringify(value) ?? 'an object').slice(0, 200);
      } catch {
        return 'an object that has no JSON form';
      }
  }
}

/** Removes every occurrence of each secret from a text (for messages that quote server bodies). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
