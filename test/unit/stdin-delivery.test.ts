import { describe, expect, it } from 'vitest';
import { TransientFailure } from '../../src/api/errors.js';
import { TailError } from '../../src/errors.js';
import { deliveryOf, nextSendStep } from '../../src/stdin/delivery.js';

const network = (code: string) => new TransientFailure(`cannot reach: ${code}`, { cause: Object.assign(new Error(code), { code }) });
const status = (value: number, retryAfterMs?: number) => new TransientFailure(`got ${value}`, { status: value, retryAfterMs });

describe('deliveryOf', () => {
  it.each([
    ['connection refused', network('ECONNREFUSED'), 'not-sent'],
    ['no such host', network('ENOTFOUND'), 'not-sent'],
    ['refused on every address (AggregateError)', new TransientFailure('x', { cause: Object.assign(new AggregateError([network('ECONNREFUSED').cause]), {}) }), 'not-sent'],
    ['408', status(408), 'not-sent'],
    ['429', status(429), 'not-sent'],
    ['connection reset after sending', network('ECONNRESET'), 'in-doubt'],
    ['socket hang up', new TransientFailure('socket hang up', { cause: new Error('socket hang up') }), 'in-doubt'],
    ['500', status(500), 'in-doubt'],
    ['502 from a gateway', status(502), 'in-doubt'],
    ['503', status(503), 'in-doubt'],
  ] as const)('%s: %s', (_name, failure, expected) => {
    expect(deliveryOf(failure)).toBe(expected);
  });
});

describe('nextSendStep', () => {
  it.each([
    ['text, not sent: retry with backoff', 'text', network('ECONNREFUSED'), 1, { step: 'retry', delayMs: 125 }],
    ['text, 429 with Retry-After: wait as asked', 'text', status(429, 3000), 2, { step: 'retry', delayMs: 3000 }],
    ['text, in doubt: never resent', 'text', status(502), 1, { step: 'in-doubt' }],
    ['text, reset: never resent', 'text', network('ECONNRESET'), 1, { step: 'in-doubt' }],
    ['interrupt, in doubt: not repeated', 'interrupt', status(500), 1, { step: 'in-doubt' }],
    ['interrupt, not sent: retry', 'interrupt', network('ECONNREFUSED'), 1, { step: 'retry', delayMs: 125 }],
    ['eof, in doubt: resent (a second EOF is harmless)', 'eof', status(500), 1, { step: 'retry', delayMs: 125 }],
    ['past the limit', 'text', network('ECONNREFUSED'), 4, { step: 'exhausted', reason: 'cannot reach: ECONNREFUSED' }],
  ] as const)('%s', (_name, kind, error, attempt, expected) => {
    expect(nextSendStep(kind, error, attempt, 3, 0)).toEqual(expected);
  });

  it('a permanent refusal is passed on', () => {
    const refusal = new TailError('bad-request', 'refused (400)', { status: 400 });
    expect(nextSendStep('text', refusal, 1, 3, 0)).toEqual({ step: 'refused', error: refusal });
    expect(() => nextSendStep('text', new Error('bug'), 1, 3, 0)).toThrow('bug');
  });
});
