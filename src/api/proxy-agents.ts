/** The proxy agents, in a module of their own so that only a request through a proxy loads them (and TLS with them). */
export { HttpProxyAgent } from 'http-proxy-agent';
export { HttpsProxyAgent } from 'https-proxy-agent';
