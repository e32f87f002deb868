import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCertificates } from '../../src/emulator/certificate.js';
import { exportLines, parseServeFlags, type ServeFlags } from '../../src/commands/serve.js';
import { shellQuote } from '../../src/render/shell-quote.js';
import { TailError } from '../../src/errors.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

describe('parseServeFlags: TLS', () => {
  const dir = tempDirForFile('rt-serve-tls-');
  const pair = generateCertificates({ hosts: ['localhost'] }).server;
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, pair.cert);
  writeFileSync(keyFile, pair.key);
  writeFileSync(join(dir, 'plain.txt'), 'not pem');

  it('--tls generates a certificate', () => expect(parseServeFlags({ tls: true }, {}).tls).toBe(true));
  it('--tls-cert and --tls-key read PEM files', () => expect(parseServeFlags({ tlsCert: certFile, tlsKey: keyFile }, {}).tls).toEqual(pair));
  it('no TLS flag: plain HTTP', () => expect(parseServeFlags({}, {}).tls).toBeUndefined());
  it.each([
    [{ tlsCert: certFile }, /--tls-cert: give both --tls-cert and --tls-key/],
    [{ tlsKey: keyFile }, /--tls-key: give both/],
    [{ tlsCert: join(dir, 'missing.pem'), tlsKey: keyFile }, /--tls-cert: cannot read .*missing\.pem: ENOENT/],
    [{ tlsCert: certFile, tlsKey: join(dir, 'plain.txt') }, /--tls-key: .*plain\.txt is not a PEM file/],
  ] as [ServeFlags, RegExp][])('%j is a usage error', (flags, message) => {
    expect(() => parseServeFlags(flags, {})).toThrow(message);
  });
});

describe('parseServeFlags', () => {
  it('turns flags into server options', () => {
    const options = parseServeFlags(
      {
        port: '8080',
        host: '127.0.0.1',
        devbox: ['dbx_a', 'dbx_b'],
        offsetMode: 'start',
        seed: '9',
        chunkSize: '2-16',
        cutProbability: '0.1',
        cutAfterBytes: '5000',
        errorStatuses: '429, 503',
        retryAfter: '0',
        resendProbability: '0.5',
        resendBytes: '100',
        waitHoldMs: '200',
      },
      {},
    );
    expect(options).toMatchObject({
      port: 8080,
      devboxes: ['dbx_a', 'dbx_b'],
      offsetMode: 'start',
      seed: 9,
      chunkSize: [2, 16],
      cutProbability: 0.1,
      cutAfterBytes: 5000,
      errorStatuses: [429, 503],
      retryAfterSeconds: 0,
      resendProbability: 0.5,
      resendBytes: 100,
      waitHoldMs: 200,
    });
    expect(options.apiKey).toBeUndefined();
    expect(parseServeFlags({ chunkSize: '64' }, {}).chunkSize).toBe(64);
  });

  it('takes the key from --api-key, else RUNLOOP_API_KEY', () => {
    expect(parseServeFlags({ apiKey: 'flag' }, { RUNLOOP_API_KEY: 'env' }).apiKey).toBe('flag');
    expect(parseServeFlags({}, { RUNLOOP_API_KEY: 'env' }).apiKey).toBe('env');
  });

  it.each<{ flags: ServeFlags; says: string }>([
    { flags: { port: '-1' }, says: '--port' },
    { flags: { port: '65536' }, says: '--port' },
    { flags: { port: 'http' }, says: '--port' },
    { flags: { chunkSize: '0' }, says: '--chunk-size' },
    { flags: { chunkSize: '4-2' }, says: '--chunk-size' },
    { flags: { chunkSize: '1-' }, says: '--chunk-size' },
    { flags: { offsetMode: 'both' }, says: '--offset-mode' },
    { flags: { seed: '-3' }, says: '--seed' },
    { flags: { cutProbability: '' }, says: '--cut-probability' },
    { flags: { errorProbability: 'often' }, says: '--error-probability' },
    { flags: { errorStatuses: '429,,503' }, says: '--error-statuses' },
    { flags: { errorStatuses: '302' }, says: '--error-statuses' },
    { flags: { stallProbability: '0.5' }, says: '--stall-ms' },
    { flags: { gapProbability: '0.5' }, says: '--gap-bytes' },
    { flags: { idleTimeoutMs: '1.5' }, says: '--idle-timeout-ms' },
    { flags: { apiKey: ' ' }, says: '--api-key' },
    { flags: { devbox: ['has space'] }, says: '--devbox' },
    { flags: { host: '' }, says: '--host' },
  ])('refuses $flags naming $says', ({ flags, says }) => {
    let error: unknown;
    try {
      parseServeFlags(flags, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).kind).toBe('usage');
    expect((error as TailError).message).toMatch(/^--[a-z-]+: /);
    expect((error as TailError).message).toContain(says);
  });
});

describe('shell output', () => {
  it.each([
    { value: 'http://127.0.0.1:8080', expected: 'http://127.0.0.1:8080' },
    { value: 'rlt_local_abc-DEF', expected: 'rlt_local_abc-DEF' },
    { value: 'a b', expected: "'a b'" },
    { value: "it's", expected: `'it'\\''s'` },
    { value: '$(rm -rf ~)', expected: "'$(rm -rf ~)'" },
  ])('quotes $value', ({ value, expected }) => expect(shellQuote(value)).toBe(expected));

  it('with a generated certificate, also exports the CA file to trust', () => {
    const text = exportLines({ url: 'https://127.0.0.1:1', apiKey: 'k', caFile: '/tmp/a b/ca.pem' }, []);
    expect(text).toMatch(/^export RUNLOOP_BASE_URL=https:\/\/127\.0\.0\.1:1\nexport RUNLOOP_API_KEY=k\nexport NODE_EXTRA_CA_CERTS='\/tmp\/a b\/ca\.pem'\n# /);
  });

  it('prints two exports and a comment', () => {
    const text = exportLines({ url: 'http://127.0.0.1:1', apiKey: 'k' }, ['dbx_a']);
    expect(text).toMatch(/^export RUNLOOP_BASE_URL=http:\/\/127\.0\.0\.1:1\nexport RUNLOOP_API_KEY=k\n# .*dbx_local, dbx_a.*\n$/);
  });

});
