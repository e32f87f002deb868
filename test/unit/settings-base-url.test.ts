import { describe, expect, it } from 'vitest';
import { TailError } from '../../src/errors.js';
import { checkTransport, isLoopbackHost, normaliseBaseUrl } from '../../src/settings/base-url.js';

describe('normaliseBaseUrl: accepted', () => {
  it.each([
    ['https://api.runloop.ai', 'https://api.runloop.ai'],
    ['https://api.runloop.ai/', 'https://api.runloop.ai'],
    ['https://api.runloop.ai//', 'https://api.runloop.ai'],
    ['HTTPS://API.Runloop.AI', 'https://api.runloop.ai'],
    ['https://api.runloop.ai:443/', 'https://api.runloop.ai'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
    ['https://proxy.example.com/runloop/', 'https://proxy.example.com/runloop'],
    ['https://proxy.example.com/a/b', 'https://proxy.example.com/a/b'],
    // The API root: runloop-tail adds /v1 itself, so a trailing /v1 (the API reference's server URL) goes.
    ['https://api.runloop.ai/v1', 'https://api.runloop.ai'],
    ['https://api.runloop.ai/v1/', 'https://api.runloop.ai'],
    ['https://api.runloop.ai/V1//', 'https://api.runloop.ai'],
    ['https://proxy.example.com/runloop/v1', 'https://proxy.example.com/runloop'],
    ['https://x.example/v10', 'https://x.example/v10'],
    ['https://x.example/v1x', 'https://x.example/v1x'],
    ['https://x.example/api-v1', 'https://x.example/api-v1'],
    ['https://v1.example.com/v1', 'https://v1.example.com'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseBaseUrl(raw, { label: '--base-url' })).toBe(expected);
  });
});

describe('normaliseBaseUrl: refused', () => {
  it.each([
    ['not a url', /^RUNLOOP_BASE_URL is not a valid http\(s\) URL: "not a url"$/],
    ['api.runloop.ai', /^RUNLOOP_BASE_URL is not a valid http\(s\) URL: "api\.runloop\.ai"$/],
    ['ftp://files.example.com', /not a valid http\(s\) URL/],
    ['file:///etc/passwd', /not a valid http\(s\) URL/],
    ['javascript:alert(1)', /not a valid http\(s\) URL/],
    ['http://', /not a valid http\(s\) URL/],
    ['https://user:pass@api.runloop.ai', /^RUNLOOP_BASE_URL must not contain a user name or password; .*RUNLOOP_API_KEY/],
    ['https://token@api.runloop.ai', /must not contain a user name or password/],
    ['https://api.runloop.ai/?x=1', /^RUNLOOP_BASE_URL must not have a query or fragment: /],
    ['https://api.runloop.ai/?', /must not have a query or fragment/],
    ['https://api.runloop.ai/#top', /must not have a query or fragment/],
    ['https://exa mple.com', /not a valid http\(s\) URL/],
    ['nope\u001b[2J', /: "nope\\u001b\[2J"$/], // quoted with control characters escaped
    ['https://api.runloop.ai/v1/devboxes', /^RUNLOOP_BASE_URL must be the API root, without \/v1\/…: use "https:\/\/api\.runloop\.ai"$/],
    ['https://proxy.example.com/runloop/v1/devboxes/dbx_1', /use "https:\/\/proxy\.example\.com\/runloop"$/],
  ])('%j', (raw, pattern) => {
    let error: unknown;
    try {
      normaliseBaseUrl(raw, { label: 'RUNLOOP_BASE_URL' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).kind).toBe('usage');
    expect((error as TailError).message).toMatch(pattern);
    expect((error as TailError).message).not.toContain('\n');
  });

  it('accepts a control sequence in a path only percent-encoded', () => {
    expect(normaliseBaseUrl('https://x.example/\u001b]0;t\u0007/x', { label: 'L' })).toBe('https://x.example/%1B]0;t%07/x');
  });

  it('never quotes a value with credentials, parseable or not', () => {
    for (const raw of ['https://me:sekret@x.example', 'htps//me:sekret@x', 'sekret@']) {
      expect(() => normaliseBaseUrl(raw, { label: 'L' })).toThrow(TailError);
      try {
        normaliseBaseUrl(raw, { label: 'L' });
      } catch (error) {
        expect((error as Error).message).not.toContain('sekret');
      }
    }
  });

  it('redacts the given secrets and bounds the quoted length', () => {
    const key = 'sk_live_0123456789abcdef';
    expect(() => normaliseBaseUrl(key, { label: 'L', secrets: [key] })).toThrow(/^L is not a valid http\(s\) URL: "\[redacted\]"$/);
    expect(() => normaliseBaseUrl('x'.repeat(500), { label: 'L' })).toThrow(/^L is not a valid http\(s\) URL: "x{100}…"$/);
  });

  it('uses the given kind and hint', () => {
    expect(() => normaliseBaseUrl('nope', { label: 'base-url in /c.json', kind: 'config', hint: 'fix it' })).toThrow(
      expect.objectContaining({ kind: 'config', message: 'base-url in /c.json is not a valid http(s) URL: "nope"; fix it' }),
    );
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['127.255.255.255', true],
    ['[::1]', true],
    ['[::ffff:7f00:1]', true],
    ['api.localhost', false],
    ['localhost.example.com', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['0.0.0.0', false],
    ['[::]', false],
    ['[::ffff:a00:1]', false],
    ['127.0.0.1.nip.io', false],
    ['api.runloop.ai', false],
    // As `serve --host` takes them: bare addresses, not yet normalised by a URL.
    ['::1', true],
    ['127.8.9.10', true],
    ['127.1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::', false],
    ['192.168.1.4', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    // Not a host at all: a port, a path, credentials, spaces, an address out of range.
    ['', false],
    ['localhost:80', false],
    ['127.0.0.1:80', false],
    ['localhost/x', false],
    ['user@localhost', false],
    ['local host', false],
    ['127.256.0.1', false],
    ['[::1', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it.each([
    ['http://127.1:9', true],
    ['http://0x7f.0.0.1:9', true],
    ['http://[0:0:0:0:0:0:0:1]:9', true],
    ['http://[::ffff:127.0.0.1]:9', true],
    ['http://2130706433:9', true],
    ['http://127.0.0.1.evil.example:9', false],
  ])('after URL parsing, %s → %s', (raw, expected) => {
    expect(isLoopbackHost(new URL(raw).hostname)).toBe(expected);
  });
});

describe('checkTransport', () => {
  it.each([
    ['https://api.runloop.ai', false, true],
    ['https://10.0.0.1', false, true],
    ['http://localhost:4000', false, true],
    ['http://127.0.0.1:4000', false, true],
    ['http://[::1]:4000', false, true],
    ['http://api.runloop.ai', false, false],
    ['http://10.0.0.1:4000', false, false],
    ['http://0.0.0.0:4000', false, false],
    ['http://api.localhost', false, false],
    ['http://api.runloop.ai', true, true],
    ['http://10.0.0.1:4000', true, true],
  ])('%s with insecure=%s → allowed %s', (url, insecure, allowed) => {
    const check = () => checkTransport(url, insecure, 'RUNLOOP_BASE_URL');
    if (allowed) expect(check).not.toThrow();
    else {
      expect(check).toThrow(TailError);
      expect(check).toThrow(
        expect.objectContaining({
          kind: 'insecure',
          exitStatus: 2,
          message: expect.stringMatching(/clear text to http:\/\/.*from RUNLOOP_BASE_URL.*--insecure/) as unknown,
        }),
      );
    }
  });
});
