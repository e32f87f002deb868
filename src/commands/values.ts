/** Parsers for option values: each returns the value or throws a usage error naming the flag. */
import { TailError } from '../errors.js';

/**
 * The one reading of a whole number on the command line: decimal digits, spaces around allowed;
 * undefined for anything else ('-1', '1.5', '1e3', '0x10', ''). The value may be past
 * Number.MAX_SAFE_INTEGER: each caller says what is too large.
 */
export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The one reading of a probability: a finite number from 0 to 1 (`0.05`, `1`, `5e-2`); else undefined. */
export function probability(text: string): number | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** A byte offset: a non-negative integer (bytes, as the API counts them). */
export function parseOffset(flag: string, text: string): number {
  const value = wholeNumber(text);
  if (value === undefined) throw new TailError('usage', `${flag} must be a byte offset (0 or more), got ${JSON.stringify(text)}`);
  if (!Number.isSafeInteger(value)) throw new TailError('usage', `${flag} is too large: ${text}`);
  return value;
}

/** A count: a non-negative integer up to `max`. */
export function parseCount(flag: string, text: string, max = 1_000_000): number {
  const value = wholeNumber(text);
  if (value === undefined) throw new TailError('usage', `${flag} must be a whole number, got ${JSON.stringify(text)}`);
  if (value > max) throw new TailError('usage', `${flag} must be at most ${max}, got ${text}`);
  return value;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration: "90" (seconds), "500ms", "30s", "5m", "1h", "1m30s". Returns milliseconds, more
 * than zero.
 */
export function parseDuration(flag: string, text: string, defaultUnit: 's' | 'ms' = 's'): number {
  const trimmed = text.trim().toLowerCase();
  const bad = () => new TailError('usage', `${flag} must be a duration such as 30s, 5m, 1h or 500ms, got ${JSON.stringify(text)}`);
  if (trimmed === '') throw bad();
  let total = 0;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    total = Number(trimmed) * (UNITS[defaultUnit] ?? 1000);
  } else {
    const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let consumed = 0;
    for (let match = pattern.exec(trimmed); match; match = pattern.exec(trimmed)) {
      total += Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000);
      consumed = pattern.lastIndex;
    }
    if (consumed !== trimmed.length) throw bad();
  }
  total = Math.round(total);
  if (!(total > 0) || !Number.isSafeInteger(total)) throw new TailError('usage', `${flag} must be more than zero and finite, got ${JSON.stringify(text)}`);
  return total;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new TailError('usage', `${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
}

/**
 * A commander argParser from a checker: runs `check` on the value as it is parsed (so a wrong value
 * is refused before any action, with the checker's usage error, which commander passes on as it
 * is) and keeps the text as typed. The text, not the checked value, because the action judges some
 * values by what was typed (`--stdout-offset 00` counts as given, `0` does not) and converts them
 * in one place that also serves callers without commander; commander never runs it on a default.
 */
export function checkedBy(check: (text: string) => unknown): (text: string) => string {
  return (text) => {
    check(text);
    return text;
  };
}
