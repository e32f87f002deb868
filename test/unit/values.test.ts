import { describe, expect, it } from 'vitest';
import { parseChoice, parseCount, parseDuration, parseOffset, probability, wholeNumber } from '../../src/commands/values.js';
import { TailError } from '../../src/errors.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).kind).toBe('usage');
    return (error as TailError).message;
  }
  throw new Error('expected a usage error');
}

// The one reading of numbers that tail's, exec's and serve's options share (serve had its own copy).
describe('wholeNumber', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    [' 7 ', 7],
    ['007', 7],
    ['9007199254740993', 9007199254740992], // past safe: each caller says it is too large
    ['-1', undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    ['0x10', undefined],
    ['+5', undefined],
    ['', undefined],
    [' ', undefined],
    ['١٢', undefined], // digits of another script are not digits here
  ])('%j → %s', (text, expected) => expect(wholeNumber(text)).toBe(expected));
});

describe('probability', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['0.05', 0.05],
    [' .5', 0.5],
    ['5e-2', 0.05],
    ['1.0001', undefined],
    ['-0.1', undefined],
    ['', undefined],
    [' ', undefined],
    ['often', undefined],
    ['Infinity', undefined],
    ['NaN', undefined],
  ])('%j → %s', (text, expected) => expect(probability(text)).toBe(expected));
});

describe('parseOffset', () => {
  it.each([
    ['0', 0],
    ['123456', 123456],
    [' 7 ', 7],
    ['9007199254740991', 9007199254740991],
  ])('%s → %i', (text, expected) => expect(parseOffset('--stdout-offset', text)).toBe(expected));
  it.each(['-1', 'abc', '1.5', '', '1e3', '0x10', '9007199254740993'])('rejects %j naming the flag', (text) => {
    expect(usageMessage(() => parseOffset('--stdout-offset', text))).toContain('--stdout-offset');
  });
});

describe('parseCount', () => {
  it.each([
    ['0', 0],
    ['10', 10],
  ])('%s → %i', (text, expected) => expect(parseCount('--max-retries', text)).toBe(expected));
  it.each(['-3', 'many', '2000000'])('rejects %j', (text) => {
    expect(usageMessage(() => parseCount('--max-retries', text))).toContain('--max-retries');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30', 30_000],
    ['1.5', 1500],
    ['30s', 30_000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['2H', 7_200_000],
  ])('%s → %i ms', (text, expected) => expect(parseDuration('--timeout', text)).toBe(expected));
  it.each(['', '0', '0s', '-5s', 'soon', '5 minutes', '5x', 's', '1m 30s', 'Infinity'])('rejects %j', (text) => {
    expect(usageMessage(() => parseDuration('--timeout', text))).toContain('--timeout');
  });
});

describe('parseChoice', () => {
  it('accepts a listed word', () => expect(parseChoice('--color', 'never', ['auto', 'always', 'never'])).toBe('never'));
  it('names the choices', () => {
    expect(usageMessage(() => parseChoice('--color', 'sometimes', ['auto', 'always', 'never']))).toContain('auto, always, never');
  });
});
