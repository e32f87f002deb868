import { describe, expect, it } from 'vitest';
import { TailError } from '../../src/errors.js';
import { checkApiKey, normaliseApiKey } from '../../src/settings/api-key.js';
import { SETTING_KEYS, parseSettingKey } from '../../src/settings/keys.js';
import { maskSecret } from '../../src/settings/mask.js';

describe('maskSecret', () => {
  it.each([
    ['', '****'],
    ['abc', '****'],
    ['abcd', '****'],
    ['0123456789abcde', '****'], // 15: too short to show a quarter of it
    ['0123456789abcdef', '****cdef'],
    ['ak_0123456789012345678901234567WXYZ', '****WXYZ'],
  ])('%j → %s', (secret, expected) => {
    expect(maskSecret(secret)).toBe(expected);
  });

  it('shows at most the last 4 characters and never the length', () => {
    for (let length = 0; length < 80; length++) {
      const secret = 'S'.repeat(Math.max(0, length - 4)) + 'wxyz'.slice(Math.max(0, 4 - length));
      const masked = maskSecret(secret);
      expect(masked.replace(/^\*{4}/, '').length).toBeLessThanOrEqual(4);
      expect(masked).not.toContain('S');
    }
  });
});

describe('normaliseApiKey', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['\n', undefined],
    ['key', 'key'],
    [' key\n', 'key'],
    ['\tkey\r\n', 'key'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseApiKey(raw)).toBe(expected);
  });
});

describe('checkApiKey', () => {
  it.each([
    ['ak_abcDEF0123456789', true],
    ['a-b_c.d~e+f/g=', true],
    ['two words', false],
    ['tab\there', false],
    ['line\nbreak', false],
    ['nul\u0000byte', false],
    ['del\u007f', false],
    ['clé', false],
    ['🔑', false],
  ])('%j accepted: %s', (key, accepted) => {
    const check = () => checkApiKey(key, 'stdin');
    if (accepted) expect(check).not.toThrow();
    else {
      expect(check).toThrow(TailError);
      try {
        check();
      } catch (error) {
        expect((error as TailError).message).toMatch(/^the API key from stdin contains spaces, control or non-ASCII characters; /);
        expect((error as TailError).message).not.toContain(key);
      }
    }
  });
});

describe('parseSettingKey', () => {
  it.each(SETTING_KEYS)('accepts %s', (key) => {
    expect(parseSettingKey(key)).toBe(key);
  });
  it.each([
    ['apikey', "unknown setting 'apikey' — did you mean 'api-key'?"],
    ['API-KEY', "unknown setting 'API-KEY' — did you mean 'api-key'?"],
    ['api_key', "unknown setting 'api_key' — did you mean 'api-key'?"],
    ['token', "unknown setting 'token'; the settings are api-key and base-url"],
    // Long, or not a plain word: it may be the key itself, typed in the wrong place: never echoed.
    ['sk_live_0123456789abcdef', 'unknown setting (not shown: it may be a secret); the settings are api-key and base-url'],
    ['0123456789abcdef', 'unknown setting (not shown: it may be a secret); the settings are api-key and base-url'],
    ['', 'unknown setting (not shown: it may be a secret); the settings are api-key and base-url'],
  ])('refuses %j: %s', (name, message) => {
    expect(() => parseSettingKey(name)).toThrow(expect.objectContaining({ kind: 'usage', exitStatus: 2, message }));
  });
});
