import { TailError, redact, type ErrorKind } from '../errors.js';

/** Where the Runloop API lives when nothing else is said. */
export const DEFAULT_BASE_URL = 'https://api.runloop.ai';

/** How a base URL's origin is named in messages, and what to say when it is wrong. */
export interface BaseUrlOrigin {
  /** `--base-url`, `RUNLOOP_BASE_URL`, `base-url in /x/config.json`… */
  readonly label: string;
  /** `usage` for the command line and environment, `config` for the store. */
  readonly kind?: ErrorKind;
  /** Appended after `; ` to every message, e.g. how to fix a stored value. */
  readonly hint?: string;
  /** Removed from any quoted value (the key, should someone swap the two variables). */
  readonly secrets?: readonly (string | undefined)[];
}

/**
 * Validates a base URL and returns it normalised: http or https, parseable, no user name or
 * password, no query or fragment, no trailing slash. Throws TailError naming `origin.label`.
 */
export function normaliseBaseUrl(raw: string, origin: BaseUrlOrigin): string {
  const fail = (message: string): never => {
    const hint = origin.hint ? `; ${origin.hint}` : '';
    throw new TailError(origin.kind ?? 'usage', redact(`${origin.label} ${message}${hint}`, origin.secrets ?? []));
  };
  // A value with an `@` may carry credentials: never quote it, parseable or not.
  const quoted = raw.includes('@') ? '' : `: ${quote(raw)}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`is not a valid http(s) URL${quoted}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`is not a valid http(s) URL${quoted}`);
  if (url.username || url.password || raw.includes('@')) {
    return fail('must not contain a user name or password; give the key with RUNLOOP_API_KEY or runloop-tail config set api-key');
  }
  if (/[?#]/.test(raw)) return fail(`must not have a query or fragment${quoted}`);
  // With no query, fragment or credentials, href is origin + path; the path keeps a proxy prefix.
  return url.origin + stripApiVersion(url.href.slice(url.origin.length).replace(/\/+$/, ''), url.origin, fail);
}

/**
 * The base URL is the API root: runloop-tail adds `/v1/…` itself. A trailing `/v1` (what the API
 * reference shows as the server URL) is dropped; a URL that goes on past `/v1/` (an endpoint
 * pasted whole) is refused, naming the root to use instead.
 */
function stripApiVersion(path: string, origin: string, fail: (message: string) => never): string {
  const match = /^(.*?)\/v1(\/.*)?$/i.exec(path);
  if (match === null) return path;
  const root = match[1] ?? '';
  if (match[2] === undefined) return root;
  return fail(`must be the API root, without /v1/…: use ${quote(origin + root)}`);
}

/**
 * True for hosts that never leave this machine: `localhost`, 127.0.0.0/8, `::1` and the
 * IPv4-mapped form of 127.0.0.0/8 — the one rule for the key's transport, a proxy, and the address
 * `serve` binds. Takes a `URL.hostname` (`[::1]`) or a bare host or address as typed (`::1`,
 * `127.1`, `0:0::1`): the WHATWG URL parser normalises either the way a connection would read it.
 * Subdomains of `localhost` are not accepted: the system resolver does not promise to keep them on
 * loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // Anything that would make the text more than a host (a port, a path, credentials) is not one.
  if (bare === '' || /[/?#@\s]/.test(bare) || (bare.includes(':') && !/^[0-9a-f:.]+$/i.test(bare))) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname;
  } catch {
    return false;
  }
  const name = hostname.replace(/\.$/, '');
  return (
    name === 'localhost' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === '[::1]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name)
  );
}

/**
 * Refuses to send the key in clear text: `http://` to a host that is not loopback throws
 * TailError('insecure') unless `insecure` (the `--insecure` flag) is set.
 * @param baseUrl - a URL returned by {@link normaliseBaseUrl}
 */
export function checkTransport(baseUrl: string, insecure: boolean, label: string): void {
  const url = new URL(baseUrl);
  if (url.protocol === 'https:' || insecure || isLoopbackHost(url.hostname)) return;
  throw new TailError(
    'insecure',
    `refusing to send the API key in clear text to ${url.origin} (http:// to a host that is not loopback, from ${label}); use https://, or pass --insecure to accept the risk`,
  );
}

/** Quotes a user value for a message: bounded length, control characters escaped. */
function quote(value: string): string {
  const short = value.length > 100 ? `${value.slice(0, 100)}…` : value;
  return JSON.stringify(short);
}
