/** HTTP status → error kind, with one line for the user. */
import { TailError, type ErrorKind } from '../errors.js';

/** Statuses worth retrying: time-outs, rate limits, server and gateway trouble. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Pulls a readable message out of an error body (JSON `message`/`error`, or short text). */
export function serverMessage(body: string): string | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      for (const key of ['message', 'error', 'detail']) {
        const value = record[key];
        if (typeof value === 'string' && value.trim() !== '') return clip(value);
      }
    }
  } catch {
    // not JSON: fall through
  }
  if (/^\s*</.test(text)) return undefined; // an HTML page says nothing useful in one line
  return clip(text);
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** What a request was about, for the message. */
export interface RequestSubject {
  readonly devboxId: string;
  readonly executionId?: string;
  /** e.g. "stdout stream", "execution status". */
  readonly what: string;
}

/** The error for a permanent HTTP failure. */
export function errorForStatus(status: number, body: string, subject: RequestSubject): TailError {
  const said = serverMessage(body);
  const suffix = said ? `: ${said}` : '';
  const target = subject.executionId
    ? `execution ${subject.executionId} on devbox ${subject.devboxId}`
    : `devbox ${subject.devboxId}`;
  let kind: ErrorKind;
  let message: string;
  switch (status) {
    case 401:
      kind = 'auth';
      message = `the API key was rejected (401)${suffix}; check --api-key, RUNLOOP_API_KEY or 'runloop-tail config set api-key'`;
      break;
    case 403:
      kind = 'forbidden';
      message = `access to ${target} was refused (403)${suffix}; the API key may not belong to its account`;
      break;
    case 404:
      kind = 'not-found';
      message = `${target} was not found (404)${suffix}; check the ids`;
      break;
    case 410:
      kind = 'gone';
      message = `${target} is gone (410)${suffix}; its output is no longer kept`;
      break;
    default:
      kind = 'bad-request';
      message = `the ${subject.what} request for ${target} was refused (${status})${suffix}`;
  }
  return new TailError(kind, message, { status });
}

/** A failure worth retrying: network trouble or a transient status. Never shown raw to the user. */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
