/**
 * Durations in our messages ("retrying in 1.5s", "stopped after --timeout 2m", "no response within
 * 300ms"): one way to write them, for every layer (pure, no imports).
 */

const UNITS = [
  { unit: 's', ms: 1000, below: 60 },
  { unit: 'm', ms: 60_000, below: 60 },
] as const;

/**
 * Milliseconds for a person: whole milliseconds below a second ("250ms"), then seconds, minutes or
 * hours with at most one decimal and no trailing zero ("1.5s", "2s", "1.5m", "3h"). Each text is one
 * `parseDuration` reads back (to the tenth of its unit). Rounding never shows "60s" or "1000ms":
 * those are "1m" and "1s".
 */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  for (const { unit, ms: size, below } of UNITS) {
    const value = Number((whole / size).toFixed(1));
    if (value < below) return `${value}${unit}`;
  }
  return `${Number((whole / 3_600_000).toFixed(1))}h`;
}
