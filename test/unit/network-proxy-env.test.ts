import { describe, expect, it } from 'vitest';
import { describeProxyDecision, maskProxy, matchesNoProxy, proxyFor, ProxySettingError } from '../../src/api/proxy-env.js';

describe('matchesNoProxy (curl semantics, plus host:port)', () => {
  it.each([
    // [NO_PROXY, host, port, bypass]
    ['*', 'api.runloop.ai', 443, true],
    ['', 'api.runloop.ai', 443, false],
    ['runloop.ai', 'runloop.ai', 443, true],
    ['runloop.ai', 'api.runloop.ai', 443, true], // a name covers the names under it, as curl
    ['runloop.ai', 'notrunloop.ai', 443, false],
    ['.runloop.ai', 'api.runloop.ai', 443, true],
    ['.runloop.ai', 'runloop.ai', 443, true], // curl drops the leading dot
    ['*.runloop.ai', 'api.runloop.ai', 443, true],
    ['RunLoop.AI', 'api.runloop.ai', 443, true],
    ['runloop.ai.', 'api.runloop.ai', 443, true],
    ['example.com, runloop.ai', 'api.runloop.ai', 443, true],
    ['example.com runloop.ai', 'api.runloop.ai', 443, true],
    ['example.com,,other.org', 'api.runloop.ai', 443, false],
    ['runloop.ai:443', 'api.runloop.ai', 443, true],
    ['runloop.ai:8443', 'api.runloop.ai', 443, false],
    ['127.0.0.1', '127.0.0.1', 8080, true],
    ['127.0.0.1:8080', '127.0.0.1', 8080, true],
    ['127.0.0.1:9', '127.0.0.1', 8080, false],
    ['127.0.0.0/8', '127.1.2.3', 80, true],
    ['10.0.0.0/8', '127.0.0.1', 80, false],
    ['localhost', '127.0.0.1', 80, false], // no resolving, as curl
    ['127.0.0.1', 'localhost', 80, false],
    ['::1', '[::1]', 80, true],
    ['[::1]:80', '[::1]', 80, true],
    ['fe80::/10', '[fe80::1]', 80, true],
    ['1.2.3', '1.2.3.4', 80, false], // no partial IP matches
  ])('NO_PROXY=%j, %s:%i → %s', (noProxy, host, port, bypass) => {
    expect(matchesNoProxy(noProxy, host, port)).toBe(bypass);
  });
});

describe('proxyFor', () => {
  const https = new URL('https://api.runloop.ai/v1/x');
  const http = new URL('http://127.0.0.1:8080/v1/x');

  it('takes the lower-case variable first, as curl', () => {
    const decision = proxyFor(https, { https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' });
    expect(decision).toMatchObject({ kind: 'proxy', variable: 'https_proxy' });
    expect(decision.kind === 'proxy' && decision.proxy.host).toBe('lower:3128');
  });

  it('treats an empty variable as unset', () => {
    expect(proxyFor(https, { https_proxy: '', HTTPS_PROXY: 'http://upper:3128' })).toMatchObject({ variable: 'HTTPS_PROXY' });
  });

  it('uses the variable of the scheme, then ALL_PROXY', () => {
    expect(proxyFor(http, { HTTPS_PROXY: 'http://p:1' })).toEqual({ kind: 'direct', reason: 'unset' });
    expect(proxyFor(http, { HTTP_PROXY: 'http://p:1' })).toMatchObject({ kind: 'proxy', variable: 'HTTP_PROXY' });
    expect(proxyFor(https, { ALL_PROXY: 'http://p:1' })).toMatchObject({ kind: 'proxy', variable: 'ALL_PROXY' });
  });

  it('reads a proxy without a scheme as http://', () => {
    const decision = proxyFor(https, { HTTPS_PROXY: 'proxy.corp:3128' });
    expect(decision.kind === 'proxy' && decision.proxy.href).toBe('http://proxy.corp:3128/');
  });

  it('connects directly when NO_PROXY matches, saying which variables', () => {
    expect(proxyFor(http, { HTTP_PROXY: 'http://p:1', no_proxy: '127.0.0.1', NO_PROXY: 'other' })).toEqual({
      kind: 'direct',
      reason: 'no-proxy',
      variable: 'no_proxy',
      proxyVariable: 'HTTP_PROXY',
    });
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }).kind).toBe('proxy');
  });

  it('matches a NO_PROXY port against the default port of the scheme', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'runloop.ai:443' }).kind).toBe('direct');
    expect(proxyFor(new URL('http://runloop.ai/'), { HTTP_PROXY: 'http://p:1', NO_PROXY: 'runloop.ai:443' }).kind).toBe('proxy');
  });

  it.each([
    ['socks5://p:1080', /socks5 proxies are not supported/],
    ['http://', /HTTPS_PROXY is not a URL/],
  ])('refuses %j naming the variable', (value, message) => {
    expect(() => proxyFor(https, { HTTPS_PROXY: value })).toThrow(ProxySettingError);
    expect(() => proxyFor(https, { HTTPS_PROXY: value })).toThrow(message);
  });

  it('does not look at a variable it does not need', () => {
    expect(proxyFor(https, { HTTP_PROXY: 'socks5://p:1' })).toEqual({ kind: 'direct', reason: 'unset' });
  });
});

describe('maskProxy and the --verbose line', () => {
  it.each([
    ['http://alice:s3cret@proxy:3128', 'http://alice:****@proxy:3128'],
    ['http://alice@proxy:3128', 'http://alice@proxy:3128'],
    ['http://:s3cret@proxy:3128', 'http://:****@proxy:3128'],
    ['https://proxy', 'https://proxy'],
    ['http://al%20ice:p%40ss@proxy:1/path?q', 'http://al%20ice:****@proxy:1'],
  ])('%s → %s', (raw, shown) => {
    expect(maskProxy(new URL(raw))).toBe(shown);
  });

  it('names the proxy and its variable, never the password', () => {
    const url = new URL('https://api.runloop.ai');
    const line = describeProxyDecision(url, proxyFor(url, { HTTPS_PROXY: 'http://alice:s3cret@proxy:3128' }));
    expect(line).toBe('network: https://api.runloop.ai through the proxy http://alice:****@proxy:3128 (from HTTPS_PROXY)');
    expect(describeProxyDecision(url, proxyFor(url, {}))).toBe('network: https://api.runloop.ai directly (no proxy variable set)');
    expect(describeProxyDecision(url, proxyFor(url, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }))).toBe(
      'network: https://api.runloop.ai directly (NO_PROXY matches it; HTTPS_PROXY is not used)',
    );
  });
});
