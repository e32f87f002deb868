import { describe, expect, it } from 'vitest';
import { networkFor } from '../../src/commands/network.js';
import { TailError } from '../../src/errors.js';

function failure(run: () => unknown): TailError {
  try {
    run();
  } catch (error) {
    if (error instanceof TailError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('networkFor', () => {
  it('says how requests go out, password masked', () => {
    const { description } = networkFor({ HTTPS_PROXY: 'http://bob:pw-1234@proxy.corp:3128' }, 'https://api.runloop.ai', false);
    expect(description).toBe('network: https://api.runloop.ai through the proxy http://bob:****@proxy.corp:3128 (from HTTPS_PROXY)');
  });

  it('an unusable proxy variable is a usage error naming it', () => {
    const error = failure(() => networkFor({ https_proxy: 'socks5://p:1080' }, 'https://api.runloop.ai', false));
    expect(error.kind).toBe('usage');
    expect(error.exitStatus).toBe(2);
    expect(error.message).toMatch(/^https_proxy: socks5 proxies are not supported/);
  });

  it('http:// on loopback through a proxy that is not on loopback needs --insecure: the key would cross the network in clear', () => {
    const env = { HTTP_PROXY: 'http://u:secret-pw@proxy.corp:3128' };
    const error = failure(() => networkFor(env, 'http://127.0.0.1:8080', false));
    expect(error.kind).toBe('insecure');
    expect(error.message).toContain('through the proxy http://u:****@proxy.corp:3128 (from HTTP_PROXY)');
    expect(error.message).not.toContain('secret-pw');
    expect(networkFor(env, 'http://127.0.0.1:8080', true).description).toContain('through the proxy');
    expect(networkFor({ HTTP_PROXY: 'http://127.0.0.1:3128' }, 'http://127.0.0.1:8080', false).description).toContain('through the proxy');
    expect(networkFor({ ...env, NO_PROXY: '127.0.0.1' }, 'http://127.0.0.1:8080', false).description).toContain('directly');
  });
});
