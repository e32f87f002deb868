/**
 * How requests reach a target: one keep-alive agent per target (origin and proxy), so the short
 * calls (status, long-poll, exec, kill) reuse their connections, and a proxy from the environment
 * when one applies. Node 20's http(s) has no proxy support of its own: https:// targets go through
 * a CONNECT tunnel (https-proxy-agent), http:// targets as absolute-URI requests (http-proxy-agent).
 *
 * Reuse is safe for aborted requests: a request that is aborted or cut destroys its socket, and an
 * agent never hands out a destroyed socket. Node ≥ 19 honours the server's `Keep-Alive: timeout`
 * hint, so an idle socket is not reused after the server has dropped it.
 */
import { Agent as HttpAgent } from 'node:http';
import { httpsModule } from './builtins.js';
import { proxyFor, type Env, type ProxyDecision } from './proxy-env.js';

/** The way one request goes out. */
export interface Route {
  readonly agent: HttpAgent;
  /** The proxy, when there is one, and the variable that named it (for messages). */
  readonly proxy: { readonly url: URL; readonly variable: string } | undefined;
}

/** Chooses the route of each request; see {@link createTransport}. */
export interface Transport {
  /**
   * The route for a request to `url`. Rejects with ProxySettingError (naming the variable) for an
   * unusable proxy setting. Asynchronous because the proxy agents (and TLS with them) are loaded
   * only when a request needs one.
   */
  route(url: URL): Promise<Route>;
  /** How requests to `url` go out, for --verbose. Throws like `route`. */
  decide(url: URL): ProxyDecision;
  /** Destroys every connection of its agents (when a command is done with the network). */
  close(): void;
}

/** Every socket stays open between requests for reuse; idle ones do not keep the process alive (http.Agent unrefs them). */
const AGENT_OPTIONS = { keepAlive: true } as const;

/** A transport that honours HTTP(S)_PROXY / NO_PROXY from `env` (see proxy-env.ts). */
export function createTransport(env: Env): Transport {
  const agents = new Map<string, HttpAgent>();
  const agentFor = (key: string, make: () => HttpAgent): HttpAgent => {
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = make();
      agents.set(key, agent);
    }
    return agent;
  };
  return {
    decide: (url) => proxyFor(url, env),
    async route(url) {
      const decision = proxyFor(url, env);
      const secure = url.protocol === 'https:';
      if (decision.kind === 'direct') {
        const agent = agentFor(url.origin, () => (secure ? new (httpsModule().Agent)(AGENT_OPTIONS) : new HttpAgent(AGENT_OPTIONS)));
        return { agent, proxy: undefined };
      }
      const proxy = decision.proxy;
      const key = `${url.origin} via ${proxy.href}`;
      const { HttpProxyAgent, HttpsProxyAgent } = await import('./proxy-agents.js');
      const agent = agentFor(key, () => (secure ? new HttpsProxyAgent(proxy, AGENT_OPTIONS) : new HttpProxyAgent(proxy, AGENT_OPTIONS)));
      return { agent, proxy: { url: proxy, variable: decision.variable } };
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

/** Direct connections, no proxy: for callers that give no transport (tests, the embedded demo server). */
export const directTransport: Transport = createTransport({});
