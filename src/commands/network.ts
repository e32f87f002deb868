/**
 * The network of a command that talks to the API: a transport that honours the proxy variables of
 * its environment, checked once up front, so that a bad proxy setting is one usage line before any
 * request, and `--verbose` says which proxy the requests use.
 */
import { createTransport, type Transport } from '../api/transport.js';
import { describeProxyDecision, maskProxy, ProxySettingError, type Env } from '../api/proxy-env.js';
import { TailError } from '../errors.js';
import { isLoopbackHost } from '../settings/base-url.js';

/**
 * The transport for requests to `baseUrl`, and the --verbose line that says how they go out.
 * Throws TailError('usage') for an unusable proxy variable, and TailError('insecure') for http://
 * through a proxy that is not on loopback without `insecure`: the key would cross the network in
 * clear text even though the target itself is on loopback.
 */
export function networkFor(env: Env, baseUrl: string, insecure: boolean): { transport: Transport; description: string } {
  const transport = createTransport(env);
  const url = new URL(baseUrl);
  let decision;
  try {
    decision = transport.decide(url);
  } catch (error) {
    if (error instanceof ProxySettingError) throw new TailError('usage', error.message, { cause: error });
    throw error;
  }
  if (decision.kind === 'proxy' && url.protocol === 'http:' && !insecure && !isLoopbackHost(decision.proxy.hostname)) {
    throw new TailError(
      'insecure',
      `refusing to send the API key in clear text through the proxy ${maskProxy(decision.proxy)} (from ${decision.variable}) to ${url.origin}; use https://, or pass --insecure to accept the risk`,
    );
  }
  return { transport, description: describeProxyDecision(url, decision) };
}
