/**
 * What the spinner says and when: at once before the first output, after a silence of
 * SILENCE_MS once output has flowed, at once for news (queue, reconnect, status check), hidden
 * by any output. An injected clock and timers: no waiting.
 */
import { describe, expect, it } from 'vitest';
import { activityText, createActivityIndicator, type Activity, type ActivityTimers } from '../../src/output/activity.js';

function fakeTimers(): ActivityTimers & { advance(ms: number): void } {
  let now = 0;
  let pending: { at: number; callback: () => void; id: number }[] = [];
  let ids = 0;
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++ids;
      pending.push({ at: now + ms, callback, id });
      return id;
    },
    clearTimeout(handle) {
      pending = pending.filter((timer) => timer.id !== handle);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = pending.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        pending = pending.filter((timer) => timer !== due);
        now = due.at;
        due.callback();
      }
      now = until;
    },
  };
}

const target = { devboxId: 'dbx_1', executionId: 'exn_1' };

function setup() {
  const timers = fakeTimers();
  let shown: string | undefined;
  const indicator = createActivityIndicator({
    show: (activity: Activity) => (shown = activityText(activity, target)),
    hide: () => (shown = undefined),
    silenceMs: 3000,
    timers,
  });
  return { timers, indicator, shown: () => shown };
}

describe('activityText', () => {
  it.each([
    [{ kind: 'connecting' }, 'connecting to execution exn_1 on devbox dbx_1'],
    [{ kind: 'waiting-for-output' }, 'connected; waiting for output from exn_1'],
    [{ kind: 'queued' }, 'waiting in the queue for exn_1 to start'],
    [{ kind: 'reconnecting', stream: 'stderr', offset: 512 }, 'stderr: reconnecting from byte 512'],
    [{ kind: 'checking-status' }, 'checking the execution status'],
  ] as const)('%j', (activity, text) => {
    expect(activityText(activity, target)).toBe(text);
  });
});

describe('createActivityIndicator', () => {
  it('connecting, then connected and silent, before any output: says so at once', () => {
    const { indicator, shown } = setup();
    indicator.connecting('stdout', 0);
    expect(shown()).toBe('connecting to execution exn_1 on devbox dbx_1');
    indicator.connected('stdout', true);
    expect(shown()).toBe('connected; waiting for output from exn_1');
  });

  it('after output: hidden, and back only after the silence', () => {
    const { indicator, shown, timers } = setup();
    indicator.connecting('stdout', 0);
    indicator.connected('stdout', true);
    indicator.output();
    expect(shown()).toBeUndefined();
    timers.advance(2000);
    indicator.output(); // more output: the silence starts over
    timers.advance(2999);
    expect(shown()).toBeUndefined();
    timers.advance(1);
    expect(shown()).toBe('connected; waiting for output from exn_1');
    indicator.output();
    expect(shown()).toBeUndefined();
  });

  it('a reconnect shows at once, even after output, and gives way to waiting once connected', () => {
    const { indicator, shown, timers } = setup();
    indicator.connected('stdout', true);
    indicator.connected('stderr', true);
    indicator.output();
    indicator.connected('stdout', false);
    indicator.reconnecting('stdout', 1234);
    expect(shown()).toBe('stdout: reconnecting from byte 1234');
    indicator.connected('stderr', true); // the other stream says nothing about stdout
    expect(shown()).toBe('stdout: reconnecting from byte 1234');
    indicator.connected('stdout', true);
    expect(shown()).toBeUndefined(); // connected, not yet silent for long
    timers.advance(3000);
    expect(shown()).toBe('connected; waiting for output from exn_1');
  });

  it('the queue and a status check show at once', () => {
    const { indicator, shown } = setup();
    indicator.queued();
    expect(shown()).toBe('waiting in the queue for exn_1 to start');
    indicator.connected('stdout', true);
    expect(shown()).toBe('connected; waiting for output from exn_1');
    indicator.checkingStatus();
    expect(shown()).toBe('checking the execution status');
  });

  it('stop: hidden, and nothing shows afterwards', () => {
    const { indicator, shown, timers } = setup();
    indicator.output();
    indicator.stop();
    timers.advance(10_000);
    expect(shown()).toBeUndefined();
  });
});
