import { describe, expect, it } from 'vitest';
import { followArgs } from '../../src/commands/follow-args.js';
import { parseFollowOptions, type RawFollowOptions } from '../../src/commands/follow-options.js';

const defaults = { stdoutOffset: '0', stderrOffset: '0', maxRetries: '10', idleTimeout: '60', color: 'auto' };
const argsFor = (raw: RawFollowOptions, baseUrlSource: 'flag' | 'env' | 'store' | 'default' = 'default', baseUrl = 'https://api.runloop.ai') =>
  followArgs(parseFollowOptions({ ...defaults, ...raw }), { baseUrl, baseUrlSource });

describe('followArgs: the options a resume line repeats', () => {
  it.each<[string, RawFollowOptions, string[]]>([
    ['nothing given', {}, []],
    ['the key is never repeated', { apiKey: 'rk_secret_key_123456' }, []],
    ['--insecure', { insecure: true }, ['--insecure']],
    ['--merge', { merge: true }, ['--merge']],
    ['--stdout-only', { stdoutOnly: true }, ['--stdout-only']],
    ['--stderr-only', { stderrOnly: true }, ['--stderr-only']],
    ['--max-retries', { maxRetries: '3' }, ['--max-retries', '3']],
    ['--max-retries at its default', { maxRetries: '10' }, []],
    ['--idle-timeout in seconds', { idleTimeout: '0.5' }, ['--idle-timeout', '500ms']],
    ['--idle-timeout with a unit', { idleTimeout: '2m' }, ['--idle-timeout', '120000ms']],
    ['--timeout is not repeated (the budget of one run)', { timeout: '30s' }, []],
    ['--color', { color: 'never' }, ['--color', 'never']],
    ['views', { prefix: true, timestamps: true, raw: true }, ['--prefix', '--timestamps', '--raw']],
    ['--json', { json: true }, ['--json']],
    ['--verbose', { verbose: true }, ['--verbose']],
    ['--save', { save: 'logs dir' }, ['--save', 'logs dir']],
    ['--tail is not repeated (the offsets say where to go on)', { tail: '5' }, []],
  ])('%s', (_name, raw, expected) => {
    expect(argsFor(raw)).toEqual(expected);
  });

  it.each(['flag', 'env', 'store'] as const)('a base URL from the %s is repeated', (source) => {
    expect(argsFor({}, source, 'http://127.0.0.1:8765')).toEqual(['--base-url', 'http://127.0.0.1:8765']);
  });

  it('every repeated option parses back to the same settings', () => {
    const raw: RawFollowOptions = { insecure: true, merge: true, maxRetries: '4', idleTimeout: '1.5', color: 'always', prefix: true, verbose: true };
    const words = argsFor(raw);
    const reparsed: Record<string, string | boolean> = {};
    for (let i = 0; i < words.length; i++) {
      const name = (words[i] ?? '').replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      const next = words[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        reparsed[name] = next;
        i++;
      } else reparsed[name] = true;
    }
    expect(parseFollowOptions({ ...defaults, ...reparsed })).toEqual(parseFollowOptions({ ...defaults, ...raw }));
  });
});
