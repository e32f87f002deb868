import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchConnection } from '../../src/stream/watchdog.js';
import { isCommentOnly } from '../../src/stream/connection.js';

describe('watchConnection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function watch() {
    const seen: string[] = [];
    const dog = watchConnection(1000, { dead: () => seen.push('dead'), quiet: () => seen.push('quiet') });
    return { dog, seen };
  }

  it('a connection with no bytes at all is dead, not quiet', () => {
    const { dog, seen } = watch();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual(['dead']);
    dog.stop();
  });

  it('a stall after data (no bytes) is dead, never quiet', () => {
    const { dog, seen } = watch();
    vi.advanceTimersByTime(500);
    dog.activity();
    dog.data();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual(['dead']);
    dog.stop();
  });

  it('keep-alives but no data: quiet once per idle period, never dead', () => {
    const { dog, seen } = watch();
    for (let i = 0; i < 25; i++) {
      vi.advanceTimersByTime(100);
      dog.activity();
      dog.keepAlive();
    }
    expect(seen).toEqual(['quiet', 'quiet']);
    dog.stop();
  });

  it('data resets both', () => {
    const { dog, seen } = watch();
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(900);
      dog.activity();
      dog.data();
    }
    expect(seen).toEqual([]);
    dog.stop();
  });

  it('stop cancels everything', () => {
    const { dog, seen } = watch();
    dog.stop();
    vi.advanceTimersByTime(5000);
    expect(seen).toEqual([]);
  });
});

describe('isCommentOnly', () => {
  it.each([
    [': keep-alive\n\n', true],
    [':\n', true],
    [': a\n: b\n\n', true],
    ['data: {}\n\n', false],
    [': ping\n\ndata: {}\n\n', false],
    [': partial', false],
    ['', false],
  ])('%j → %s', (text, expected) => expect(isCommentOnly(Buffer.from(text))).toBe(expected));
});

describe('watchConnection against a trickle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('bytes that never make an event (a 1-byte trickle) are quiet once per idle period, never dead', () => {
    const seen: string[] = [];
    const dog = watchConnection(1000, { dead: () => seen.push('dead'), quiet: () => seen.push('quiet') });
    for (let second = 0; second < 30; second++) {
      vi.advanceTimersByTime(100);
      dog.activity(); // one byte, no whole event, no comment line
    }
    expect(seen).toEqual(['quiet', 'quiet', 'quiet']);
    dog.stop();
  });

  it('the response head alone, then silence, is dead', () => {
    const seen: string[] = [];
    const dog = watchConnection(1000, { dead: () => seen.push('dead'), quiet: () => seen.push('quiet') });
    dog.activity();
    vi.advanceTimersByTime(999);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toContain('dead');
    dog.stop();
  });
});
