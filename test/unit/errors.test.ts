import { describe, expect, it } from 'vitest';
import { TailError, exitStatusFor, oneLine, redact, type ErrorKind } from '../../src/errors.js';

describe('exit status by error kind', () => {
  const rows: [ErrorKind, number][] = [
    ['usage', 2],
    ['no-key', 2],
    ['insecure', 2],
    ['config', 2],
    ['auth', 255],
    ['not-found', 255],
    ['retries-exhausted', 255],
    ['timeout', 124],
    ['interrupted', 130],
  ];
  it.each(rows)('%s → %i', (kind, status) => {
    expect(exitStatusFor(kind)).toBe(status);
    expect(new TailError(kind, 'x').exitStatus).toBe(status);
  });
});

describe('oneLine', () => {
  it('flattens causes and newlines', () => {
    const error = new Error('fetch failed', { cause: new Error('connect ECONNREFUSED\n127.0.0.1:1') });
    expect(oneLine(error)).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });
  it('drops a cause already quoted', () => {
    expect(oneLine(new Error('a: b', { cause: new Error('b') }))).toBe('a: b');
  });
});

describe('redact', () => {
  it('removes every copy of the secret', () => {
    expect(redact('key sk_abcdef and sk_abcdef', ['sk_abcdef'])).toBe('key [redacted] and [redacted]');
  });
  it('leaves text alone without secrets', () => {
    expect(redact('plain', [undefined, ''])).toBe('plain');
  });
});
