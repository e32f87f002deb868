/**
 * Which proxy a request goes through, from the environment, as curl decides it:
 * - `https_proxy` / `HTTPS_PROXY` for https:// URLs, `http_proxy` / `HTTP_PROXY` for http:// ones,
 *   then `all_proxy` / `ALL_PROXY`; the lower-case name first, an empty value counts as unset.
 *   A proxy written without a scheme is an http:// proxy.
 * - `no_proxy` / `NO_PROXY` (lower-case first): comma- or blank-separated entries; `*` alone
 *   matches every host; a name matches itself and every name under it (`example.com` matches
 *   `api.example.com`, not `notexample.com`; a leading `.` or `*.` changes nothing); an IP address
 *   matches itself, with `/bits` a CIDR range; comparisons ignore case and a trailing dot.
 *   An entry with `:port` matches that port only (curl ignores such entries; Go and most other
 *   tools honour them). Loopback is proxied like any host unless NO_PROXY names it, as with curl.
 *
 * proxy-from-env does almost this, but reads process.env itself (only cli.ts may), and matches a
 * plain name only exactly, unlike curl.
 */
import { BlockList, isIP } from 'node:net';

export type Env = Readonly<Record<string, string | undefined>>;

/** The decision for one URL. */
export type ProxyDecision =
  | { readonly kind: 'proxy'; readonly proxy: URL; readonly variable: string }
  | { readonly kind: 'direct'; readonly reason: 'unset' }
  | { readonly kind: 'direct'; readonly reason: 'no-proxy'; readonly variable: string; readonly proxyVariable: string };

/** The first set (non-empty) variable of `names`, with its name. */
function lookup(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** A proxy variable that cannot be used (not a URL, a SOCKS proxy, …); the message names it. */
export class ProxySettingError extends Error {
  override readonly name = 'ProxySettingError';
}

/** Reads a proxy URL from a variable; throws ProxySettingError naming it when it is not one we can use. */
export function parseProxyUrl(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ProxySettingError(`${variable} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxySettingError(`${variable}: ${url.protocol.replace(/:$/, '')} proxies are not supported; use an http:// or https:// proxy`);
  }
  if (url.hostname === '') throw new ProxySettingError(`${variable} has no host`);
  return url;
}

/** Whether NO_PROXY (its value) says to connect to this host and port directly. */
export function matchesNoProxy(noProxy: string, hostname: string, port: number): boolean {
  const list = noProxy.trim();
  if (list === '') return false;
  if (list === '*') return true;
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const hostIp = isIP(host);
  for (const raw of list.split(/[\s,]+/)) {
    if (raw === '') continue;
    let entry = raw.toLowerCase();
    let entryPort: number | undefined;
    const withPort = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1] ?? '';
      entryPort = Number(withPort[2]);
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (hostIp !== 0) {
      if (ipMatches(host, hostIp, entry)) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === '') continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function ipMatches(host: string, version: number, entry: string): boolean {
  const [address = '', bitsText] = entry.split('/');
  const entryVersion = isIP(address);
  if (entryVersion !== version) return false;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  const bits = bitsText === undefined ? (version === 4 ? 32 : 128) : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > (version === 4 ? 32 : 128)) return false;
  list.addSubnet(address, bits, family);
  return list.check(host, family);
}

/** The default port of a URL's scheme, for NO_PROXY entries with a port. */
function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Decides how a request to `url` goes out. Throws ProxySettingError (naming the variable) for a proxy setting that cannot be used. */
export function proxyFor(url: URL, env: Env): ProxyDecision {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const found = lookup(env, [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY']);
  if (found === undefined) return { kind: 'direct', reason: 'unset' };
  const noProxy = lookup(env, ['no_proxy', 'NO_PROXY']);
  if (noProxy !== undefined && matchesNoProxy(noProxy.value, url.hostname, portOf(url))) {
    return { kind: 'direct', reason: 'no-proxy', variable: noProxy.name, proxyVariable: found.name };
  }
  return { kind: 'proxy', proxy: parseProxyUrl(found.value, found.name), variable: found.name };
}

/** A proxy URL to show: scheme, user, host and port, the password as `****`. */
export function maskProxy(proxy: URL): string {
  // The user name stays percent-encoded, as written: nothing undecoded reaches the terminal.
  const user = proxy.username === '' && proxy.password === '' ? '' : `${proxy.username}${proxy.password === '' ? '' : ':****'}@`;
  return `${proxy.protocol}//${user}${proxy.host}`;
}

/** One line for --verbose: how requests to `url` go out. */
export function describeProxyDecision(url: URL, decision: ProxyDecision): string {
  const origin = url.origin;
  switch (decision.kind) {
    case 'proxy':
      return `network: ${origin} through the proxy ${maskProxy(decision.proxy)} (from ${decision.variable})`;
    case 'direct':
      return decision.reason === 'unset'
        ? `network: ${origin} directly (no proxy variable set)`
        : `network: ${origin} directly (${decision.variable} matches it; ${decision.proxyVariable} is not used)`;
  }
}
