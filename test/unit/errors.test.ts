import { describe, expect, it } from 'vitest';
import {
  TailError,
  exitStatusFor,
  exitStatusOf,
  interruptedStatus,
  interruption,
  isExitStatus,
  oneLine,
  redact,
  remoteExitStatus,
  signalOf,
  type ErrorKind,
} from '../../src/errors.js';

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

describe('the status a stop ends with', () => {
  const rows: [string, unknown, number][] = [
    ['Ctrl-C (SIGINT)', interruption('SIGINT'), 130],
    ['SIGTERM', interruption('SIGTERM'), 143],
    ['SIGHUP', interruption('SIGHUP'), 129],
    ['Ctrl-C read by a prompt (no signal)', new TailError('interrupted', 'x'), 130],
    ['--timeout', new TailError('timeout', 'x'), 124],
    ['a usage error', new TailError('usage', 'x'), 2],
    ['a network failure', new TailError('network', 'x'), 255],
    ['an internal error', new Error('bug'), 255],
    ['a bare abort reason', new DOMException('aborted', 'AbortError'), 255],
  ];
  it.each(rows)('%s', (_name, reason, status) => {
    expect(exitStatusOf(reason)).toBe(status);
  });

  const interrupts: [string, unknown, string | undefined, number][] = [
    ['SIGINT', interruption('SIGINT'), 'SIGINT', 130],
    ['SIGTERM', interruption('SIGTERM'), 'SIGTERM', 143],
    ['SIGHUP', interruption('SIGHUP'), 'SIGHUP', 129],
    // A test's Io aborted with abort(): Ctrl-C's status, no signal named.
    ['a bare abort()', new DOMException('aborted', 'AbortError'), undefined, 130],
    ['a TailError of another kind', new TailError('timeout', 'x'), undefined, 130],
  ];
  it.each(interrupts)('the run signal aborted by %s', (_name, reason, signal, status) => {
    expect(signalOf(reason)).toBe(signal);
    expect(interruptedStatus(reason)).toBe(status);
  });

  it('an interruption says which signal', () => {
    expect(interruption('SIGTERM')).toMatchObject({ kind: 'interrupted', signal: 'SIGTERM', message: 'interrupted by SIGTERM', exitStatus: 143 });
  });
});

describe('remote exit statuses', () => {
  const rows: [unknown, boolean, number | undefined][] = [
    [0, true, 0],
    [1, true, 1],
    [42, true, 42],
    [255, true, 255],
    [256, false, 255],
    [-1, false, 255],
    [1.5, false, 255],
    [Number.NaN, false, 255],
    ['0', false, undefined],
    [null, false, undefined],
  ];
  it.each(rows)('%s: an exit status %s, ends runloop-tail with %s', (value, valid, status) => {
    expect(isExitStatus(value)).toBe(valid);
    if (typeof value === 'number') expect(remoteExitStatus(value)).toBe(status);
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
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  it.each([
    { name: 'a string', thrown: 'plain words', says: 'plain words' },
    { name: 'a number', thrown: 42, says: '42' },
    { name: 'a plain object, as JSON', thrown: { code: 'E_X', n: 1 }, says: '{"code":"E_X","n":1}' },
    { name: 'a huge object, cut', thrown: { text: 'x'.repeat(500) }, says: `{"text":"${'x'.repeat(191)}` },
    { name: 'a circular object', thrown: circular, says: 'an object that has no JSON form' },
    { name: 'a cause that is not an Error', thrown: new Error('failed', { cause: { status: 7 } }), says: 'failed: {"status":7}' },
  ])('a thrown value that is not an Error: $name', ({ thrown, says }) => {
    expect(oneLine(thrown)).toBe(says);
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
