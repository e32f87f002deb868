import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/commands/values.js';
import { formatDuration } from '../../src/duration.js';

describe('formatDuration', () => {
  // The former copies wrote some of these differently; the comment says how, and this is the one rule.
  it.each([
    [0, '0ms'],
    [250, '250ms'], // reconnect notes, --timeout
    [250.4, '250ms'], // a jittered delay: whole milliseconds (values.ts wrote "250.4ms")
    [300, '300ms'], // the idle window (follow-stream wrote "0.3s")
    [999.6, '1s'], // never "1000ms"
    [1000, '1s'],
    [1500, '1.5s'],
    [2000, '2s'], // reconnect notes wrote "2.0s"
    [5000, '5s'], // the request time-out
    [59_960, '1m'], // never "60s"
    [60_000, '1m'],
    [90_000, '1.5m'],
    [120_000, '2m'], // a Retry-After of 120: reconnect notes wrote "120.0s"
    [3_600_000, '1h'],
    [5_400_000, '1.5h'],
    [-5, '0ms'],
  ])('%d → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('reads back through parseDuration to within a twentieth of its unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 * 3_600_000 }), (ms) => {
        const text = formatDuration(ms);
        const back = parseDuration('--timeout', text);
        const unit = text.endsWith('ms') ? 1 : text.endsWith('s') ? 1000 : text.endsWith('m') ? 60_000 : 3_600_000;
        expect(Math.abs(back - ms)).toBeLessThanOrEqual(unit * 0.05 + 0.5);
      }),
    );
  });
});
