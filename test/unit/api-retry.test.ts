import { describe, expect, it } from 'vitest';
import { TransientFailure } from '../../src/api/errors.js';
import { retryTransient } from '../../src/api/retry.js';
import { TailError } from '../../src/errors.js';

function scripted(outcomes: readonly (Error | string)[]) {
  let calls = 0;
  const call = () => {
    const outcome = outcomes[calls++] ?? 'done';
    return typeof outcome === 'string' ? Promise.resolve(outcome) : Promise.reject(outcome);
  };
  return { call, calls: () => calls };
}

describe('retryTransient', () => {
  const delays: number[] = [];
  const options = { maxRetries: 2, random: () => 0, sleep: (ms: number) => Promise.resolve(void delays.push(ms)) };

  it('retries transient failures with backoff, honouring Retry-After', async () => {
    delays.length = 0;
    const s = scripted([new TransientFailure('503', { status: 503 }), new TransientFailure('429', { status: 429, retryAfterMs: 2000 }), 'ok']);
    await expect(retryTransient('status', s.call, options)).resolves.toBe('ok');
    expect(s.calls()).toBe(3);
    expect(delays).toEqual([125, 2000]);
  });

  it('gives up after maxRetries retries with one line naming the call', async () => {
    const s = scripted([new TransientFailure('a'), new TransientFailure('b'), new TransientFailure('c the last')]);
    const error = await retryTransient('kill', s.call, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).kind).toBe('retries-exhausted');
    expect((error as TailError).message).toContain('kill failed 3 times in a row: c the last');
  });

  it('passes a permanent failure on at once', async () => {
    const refusal = new TailError('not-found', 'gone (404)');
    const s = scripted([refusal]);
    await expect(retryTransient('status', s.call, options)).rejects.toBe(refusal);
    expect(s.calls()).toBe(1);
  });
});
