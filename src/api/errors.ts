/** HTTP status → error kind, with one line for the user; network failures that no retry can fix. */
import { TailError, type ErrorKind } from '../errors.js';
import { maskProxy, ProxySettingError } from './proxy-env.js';

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

/** A proxy refused to carry a request (its CONNECT answer was not 200, or it answered 407). */
export class ProxyRefused extends Error {
  override readonly name = 'ProxyRefused';

  constructor(
    readonly proxy: URL,
    /** The environment variable that named the proxy. */
    readonly variable: string,
    readonly status: number,
    readonly target: URL,
  ) {
    super(`the proxy ${maskProxy(proxy)} refused ${target.host} with ${status}`);
  }
}

/**
 * TLS verification failures (Node's `code`s, from OpenSSL's X509_V_ERR_* names) and what they mean.
 * Each is a fact about the certificate, not about the moment: retrying cannot fix it.
 */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'is signed by a CA that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is signed by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT: 'is signed by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by an unknown CA',
  CERT_UNTRUSTED: 'is not trusted',
  CERT_REJECTED: 'is rejected',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  CERT_REVOKED: 'is revoked',
  CERT_SIGNATURE_FAILURE: 'has a bad signature',
  CERT_CHAIN_TOO_LONG: 'has a chain that is too long',
  INVALID_CA: 'has an invalid CA certificate in its chain',
  INVALID_PURPOSE: 'is not for TLS servers',
  PATH_LENGTH_EXCEEDED: 'has a chain that is too long',
  HOSTNAME_MISMATCH: 'is for another host',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for another host',
};

/**
 * The TailError for a network failure that no retry can fix: a TLS certificate that does not
 * verify, a proxy that refused the request, or an unusable proxy setting. Undefined for anything else (those are transient).
 * `url` is the request's; messages carry only our own text, codes and statuses, nothing the peer wrote.
 */
export function permanentNetworkError(error: unknown, url: URL): TailError | undefined {
  if (error instanceof ProxyRefused) {
    const hint =
      error.status === 407
        ? `check the user and password in ${error.variable}`
        : error.status === 403
          ? `the proxy does not allow ${error.target.host}; ask its administrator, or list the host in NO_PROXY if it is reachable directly`
          : `the proxy could not open a connection to ${error.target.host}; check ${error.variable} and NO_PROXY`;
    return new TailError('proxy', `the proxy ${maskProxy(error.proxy)} (from ${error.variable}) refused the request to ${error.target.host} with ${error.status}; ${hint}`, {
      status: error.status,
    });
  }
  if (error instanceof ProxySettingError) return new TailError('usage', error.message, { cause: error });
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem === undefined) return undefined;
  const fix =
    code === 'HOSTNAME_MISMATCH' || code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? `check the host in --base-url; for a private CA, NODE_EXTRA_CA_CERTS names the CA file to trust`
      : `if the service uses a private CA, point NODE_EXTRA_CA_CERTS at that CA's PEM file`;
  // No cause: Node's message quotes the certificate's names, text the peer chose.
  return new TailError('tls', `the TLS certificate of ${url.host} ${problem} (${code}); ${fix}`);
}
