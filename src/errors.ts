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

/** The exit status after a signal asked us to stop (SIGINT 130, SIGHUP 129, SIGTERM 143). */
export function exitStatusForSignal(signal: string | undefined): number {
  if (signal === 'SIGTERM') return EXIT_TERMINATED;
  if (signal === 'SIGHUP') return EXIT_HANGUP;
  return EXIT_INTERRUPTED;
}

/** An error runloop-tail expects and reports in one line. */
export class TailError extends Error {
  override readonly name = 'TailError';
  readonly kind: ErrorKind;
  /** The HTTP status that caused it, when there was one. */
  readonly status: number | undefined;

  constructor(kind: ErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
  }

  get exitStatus(): number {
    return exitStatusFor(this.kind);
  }
}

/** Flattens an error and its causes into one line ("a: b: c"), without stack traces. */
export function oneLine(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}

/** Removes every occurrence of each secret from a text (for messages that quote server bodies). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
