/** Parsers for option values: each returns the value or throws a usage error naming the flag. */
import { TailError } from '../errors.js';

/** A byte offset: a non-negative integer (bytes, as the API counts them). */
export function parseOffset(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new TailError('usage', `${flag} must be a byte offset (0 or more), got ${JSON.stringify(text)}`);
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value)) throw new TailError('usage', `${flag} is too large: ${text}`);
  return value;
}

/** A count: a non-negative integer up to `max`. */
export function parseCount(flag: string, text: string, max = 1_000_000): number {
  if (!/^\d+$/.test(text.trim())) throw new TailError('usage', `${flag} must be a whole number, got ${JSON.stringify(text)}`);
  const value = Number(text.trim());
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
