/**
 * The middle layer's retry policy as a table: followExecution with scripted connections, a
 * scripted status source and fake timers (test/helpers/scripted-follow.ts). Each row is a sequence
 * of connection outcomes and status answers; it checks the bytes written (no gap, no repeat), the
 * offset each connection asked for, the waits chosen, and how the follow ended. No socket, no real
 * timer: the whole table plays fake minutes in milliseconds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TailError } from '../../src/errors.js';
import { defaultBackoff } from '../../src/api/backoff.js';
import { DRAIN_PROBE_MS } from '../../src/stream/follow-stream.js';
import type { FollowEvent } from '../../src/stream/types.js';
import {
  DEFAULT_OUTPUTS,
  completedAfter,
  completedAt,
  playScenario,
  type ConnectionScript,
  type Played,
  type Scenario,
  type StatusScript,
} from '../helpers/scripted-follow.js';

const IDLE_MS = 10_000;
const OUT = DEFAULT_OUTPUTS.stdout; // 'one\ntwo\nthree\n', 14 bytes

// Connections, by what they do.
const all: ConnectionScript = { steps: [{ data: OUT.length }], end: 'ended' };
const nothing: ConnectionScript = { end: 'ended' };
const send = (bytes: number, end: ConnectionScript['end'] = 'ended'): ConnectionScript => ({ steps: [{ data: bytes }], end });
const rest = (end: ConnectionScript['end'] = 'ended'): ConnectionScript => ({ steps: [{ data: 1000 }], end });
const refused: ConnectionScript = { head: false, end: { kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:9' } };
const noHead: ConnectionScript = { head: false, end: 'hang' };
const http = (status: number, retryAfterMs?: number): ConnectionScript => ({ end: { kind: 'http', status, body: '', retryAfterMs } });
const errorEvent = (status: number, steps: ConnectionScript['steps'] = []): ConnectionScript => ({ steps, end: { kind: 'stream-error', status, message: 'idle' } });
const cut: ConnectionScript['end'] = { kind: 'cut', message: 'aborted' };

/** The backoff's shortest delay for each attempt (random 0: half of the exponential delay). */
const shortest = (attempt: number) => Math.min(defaultBackoff.maxMs, defaultBackoff.initialMs * defaultBackoff.factor ** (attempt - 1)) / 2;
const backoff = (...attempts: number[]) => attempts.map(shortest);

interface Row {
  readonly name: string;
  readonly scenario: Scenario;
  /** The offset each stdout connection asked for. */
  readonly offsets: readonly number[];
  readonly waits: readonly number[];
  /** An exit status, or the kind of the TailError the follow ended with. */
  readonly end: number | TailError['kind'];
  /** stdout's bytes as written (default: the whole output from the start offset). */
  readonly bytes?: string;
  /** A reconnect at once, not counted, is reported (attempt 0, no wait). */
  readonly atOnce?: boolean;
}

const stdout = (connections: readonly ConnectionScript[], status: StatusScript, more: Partial<Scenario> = {}): Scenario => ({
  connections: { stdout: connections },
  status,
  ...more,
});

const rows: Row[] = [
  // ended
  {
    name: 'ended after all the output; the drain connection brings nothing: done, no wait',
    scenario: stdout([all, nothing], completedAfter(1)),
    offsets: [0, OUT.length],
    waits: [],
    end: 0,
  },
  {
    name: 'ended while the command runs, after output: reconnect at once from the cursor, not counted',
    scenario: stdout([send(4), rest(), nothing], completedAfter(2)),
    offsets: [0, 4, OUT.length],
    waits: [],
    end: 0,
  },
  {
    name: 'ended while the command runs, nothing new, at once: counted, backs off',
    scenario: stdout([send(4), nothing, nothing, rest(), nothing], completedAfter(4)),
    offsets: [0, 4, 4, 4, OUT.length],
    waits: backoff(1, 2),
    end: 0,
  },
  {
    name: 'ended with nothing new after a healthy connection (alive 6 s): not counted',
    scenario: stdout([send(4), { steps: [{ wait: 6000 }], end: 'ended' }, rest(), nothing], completedAfter(3)),
    offsets: [0, 4, 4, OUT.length],
    waits: [],
    end: 0,
  },
  // cut
  {
    name: 'cut mid-stream: counted (after progress, from attempt 1), resumed from the cursor',
    scenario: stdout([send(4, cut), rest(), nothing], completedAfter(2)),
    offsets: [0, 4, OUT.length],
    waits: backoff(1),
    end: 0,
  },
  {
    name: 'cut, and the service resends from the start: the repeated bytes are dropped',
    scenario: stdout([send(8, cut), { steps: [{ chunk: 'one\ntwo\n', offset: 8 }, { data: 6 }], end: 'ended' }, nothing], completedAfter(2)),
    offsets: [0, 8, OUT.length],
    waits: backoff(1),
    end: 0,
  },
  {
    name: 'the Retry-After the random number adds to: the longest delay of the first attempt',
    scenario: stdout([send(4, cut), rest(), nothing], completedAfter(2), { random: 0.999_999 }),
    offsets: [0, 4, OUT.length],
    waits: [defaultBackoff.initialMs],
    end: 0,
  },
  // network
  {
    name: 'refused up to --max-retries: retries exhausted, the offsets never move',
    scenario: stdout([refused], completedAfter(99), { maxRetries: 3 }),
    offsets: [0, 0, 0, 0],
    waits: backoff(1, 2, 3),
    end: 'retries-exhausted',
    bytes: '',
  },
  {
    name: 'refused, then output: the count starts over after progress',
    scenario: stdout([refused, refused, send(4, cut), refused, rest(), nothing], completedAfter(5), { maxRetries: 2 }),
    offsets: [0, 0, 0, 4, 4, OUT.length],
    waits: backoff(1, 2, 1, 2),
    end: 0,
  },
  {
    name: '--max-retries 0: the first failure ends the follow',
    scenario: stdout([refused], completedAfter(99), { maxRetries: 0 }),
    offsets: [0],
    waits: [],
    end: 'retries-exhausted',
    bytes: '',
  },
  {
    name: 'a certificate that does not verify: no retry',
    scenario: stdout([{ head: false, end: { kind: 'failed', error: new TailError('tls', 'certificate has expired') } }], completedAfter(99)),
    bytes: '',
    offsets: [0],
    waits: [],
    end: 'tls',
  },
  // HTTP status classes
  ...[500, 502, 503, 425, 429].map(
    (status): Row => ({
      name: `HTTP ${status}: transient, counted, backs off`,
      scenario: stdout([http(status), http(status), all, nothing], completedAfter(3)),
      offsets: [0, 0, 0, OUT.length],
      waits: backoff(1, 2),
      end: 0,
    }),
  ),
  {
    name: 'HTTP 429 with Retry-After 5 s: waits what the service asked',
    scenario: stdout([http(429, 5000), all, nothing], completedAfter(2)),
    offsets: [0, 0, OUT.length],
    waits: [5000],
    end: 0,
  },
  {
    name: 'HTTP 503 with a Retry-After shorter than the backoff: the backoff',
    scenario: stdout([http(503, 10), all, nothing], completedAfter(2)),
    offsets: [0, 0, OUT.length],
    waits: backoff(1),
    end: 0,
  },
  {
    name: 'HTTP 503 with a Retry-After of 10 minutes: capped',
    scenario: stdout([http(503, 600_000), all, nothing], completedAfter(2)),
    offsets: [0, 0, OUT.length],
    waits: [defaultBackoff.maxRetryAfterMs],
    end: 0,
  },
  {
    name: 'HTTP 408 while the command runs, nothing new: counted',
    scenario: stdout([http(408), all, nothing], completedAfter(2)),
    offsets: [0, 0, OUT.length],
    waits: backoff(1),
    end: 0,
  },
  {
    name: 'HTTP 408 once the command has completed: again at once',
    scenario: stdout([http(408), all, nothing], completedAfter(1)),
    offsets: [0, 0, OUT.length],
    waits: [],
    end: 0,
  },
  {
    name: 'HTTP 408 on every connection made after completion: counted, not looped on',
    scenario: stdout([all, http(408)], completedAfter(1), { maxRetries: 2 }),
    offsets: [0, OUT.length, OUT.length, OUT.length],
    waits: backoff(1, 2),
    end: 'retries-exhausted',
  },
  ...(
    [
      [401, 'auth'],
      [403, 'forbidden'],
      [404, 'not-found'],
      [410, 'gone'],
      [400, 'bad-request'],
      [422, 'bad-request'],
    ] as const
  ).map(
    ([status, kind]): Row => ({
      name: `HTTP ${status}: permanent, ends the follow as ${kind}`,
      scenario: stdout([send(4), http(status)], completedAfter(99)),
      offsets: [0, 4],
      waits: [],
      end: kind,
      bytes: 'one\n',
    }),
  ),
  // error events inside the stream
  {
    name: 'error event 408 after output: again at once, as the SDK does',
    scenario: stdout([errorEvent(408, [{ data: 4 }]), rest(), nothing], completedAfter(2)),
    offsets: [0, 4, OUT.length],
    waits: [],
    end: 0,
  },
  {
    name: 'error event 408 on connections that bring nothing: once at once, then counted',
    scenario: stdout([send(4), errorEvent(408), errorEvent(408), errorEvent(408), rest(), nothing], completedAfter(5)),
    offsets: [0, 4, 4, 4, 4, OUT.length],
    waits: backoff(1, 2),
    end: 0,
  },
  {
    name: 'error event 408 on the drain connection: drained',
    scenario: stdout([all, errorEvent(408)], completedAfter(1)),
    offsets: [0, OUT.length],
    waits: [],
    end: 0,
  },
  {
    name: 'error event 500: counted',
    scenario: stdout([errorEvent(500, [{ data: 4 }]), rest(), nothing], completedAfter(2)),
    offsets: [0, 4, OUT.length],
    waits: backoff(1),
    end: 0,
  },
  {
    name: 'error event 404: permanent',
    scenario: stdout([errorEvent(404, [{ data: 4 }])], completedAfter(99)),
    offsets: [0],
    waits: [],
    end: 'not-found',
    bytes: 'one\n',
  },
  // protocol
  {
    name: 'not this API (an event without output): protocol, no retry',
    scenario: stdout([{ steps: [{ data: 4 }], end: { kind: 'protocol', message: 'an event has no "output" string' } }], completedAfter(99)),
    offsets: [0],
    waits: [],
    end: 'protocol',
    bytes: 'one\n',
  },
  // idle
  {
    name: 'no response head within the idle time-out: counted, never drained',
    scenario: stdout([noHead], completedAfter(0), { maxRetries: 2 }),
    offsets: [0, 0, 0],
    waits: backoff(1, 2),
    end: 'retries-exhausted',
    bytes: '',
  },
  {
    name: 'output, then nothing at all for the idle time-out while the command runs: again at once',
    scenario: stdout([send(4, 'hang'), rest(), nothing], completedAfter(2)),
    offsets: [0, 4, OUT.length],
    waits: [],
    end: 0,
    atOnce: true,
  },
  // keep-alive only
  {
    name: 'keep-alives only while the command runs, until it completes: one connection, then the drain',
    scenario: stdout([rest('keep-alive'), { end: 'keep-alive' }], completedAt(25_000)),
    offsets: [0, OUT.length],
    waits: [],
    end: 0,
  },
  // status
  {
    name: 'the status request fails twice: retried with the same backoff',
    scenario: stdout([all, nothing], ({ call, opened }) => (call < 2 ? { transient: 'HTTP 503' } : opened >= 1 ? 'completed' : 'running')),
    offsets: [0, OUT.length],
    waits: backoff(1, 2),
    end: 0,
  },
  {
    name: 'the status request fails for good: retries exhausted before any connection',
    scenario: stdout([all], () => ({ transient: 'HTTP 503' }), { maxRetries: 2 }),
    offsets: [],
    waits: backoff(1, 2),
    end: 'retries-exhausted',
    bytes: '',
  },
  {
    name: 'Retry-After on the status request is honoured',
    scenario: stdout([all, nothing], ({ call, opened }) => (call === 0 ? { transient: 'HTTP 429', retryAfterMs: 7000 } : opened >= 1 ? 'completed' : 'running')),
    offsets: [0, OUT.length],
    waits: [7000],
    end: 0,
  },
  {
    name: 'queued, the long-poll hold runs out twice, then running',
    scenario: stdout([all, nothing], ({ call, opened }) => (call < 3 ? 'queued' : opened >= 1 ? 'completed' : 'running')),
    offsets: [0, OUT.length],
    waits: [],
    end: 0,
  },
  // exit statuses and offsets
  {
    name: 'the remote exit status is the result',
    scenario: stdout([all, nothing], completedAfter(1), { exitStatus: 3 }),
    offsets: [0, OUT.length],
    waits: [],
    end: 3,
  },
  {
    name: 'resumed from byte 4: only what follows it',
    scenario: stdout([rest(), nothing], completedAfter(1), { startOffsets: { stdout: 4 } }),
    offsets: [4, OUT.length],
    waits: [],
    end: 0,
    bytes: OUT.slice(4),
  },
  {
    name: 'a service whose offsets are where a chunk starts: the same bytes, the same offsets',
    scenario: stdout([send(4, cut), { steps: [{ data: 4 }, { data: 6 }], end: 'ended' }, nothing], completedAfter(2), { meaning: 'start' }),
    offsets: [0, 4, OUT.length],
    waits: backoff(1),
    end: 0,
  },
];

/** The retrying events that count a failure. */
const counted = (played: Played) =>
  played.events.filter((e): e is Extract<FollowEvent, { type: 'retrying' }> => e.type === 'retrying' && e.stream !== 'status' && e.attempt > 0);

/** How the follow ended: the exit status, or the error's kind. */
function ending(played: Played): number | string {
  if (played.result.ok) return played.result.value.exitStatus ?? 'null';
  const { error } = played.result;
  return error instanceof TailError ? error.kind : String(error);
}

/** stdout's writes form one run of bytes with no gap and no overlap, from `start`. */
function contiguous(writes: Played['writes']['stdout'], start: number): boolean {
  let at = start;
  for (const write of writes) {
    if (write.offset !== at) return false;
    at += Buffer.byteLength(write.text);
  }
  return true;
}

describe('followExecution: the retry policy, row by row', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each(rows)('$name', async (row) => {
    const played = await playScenario(row.scenario);
    const start = row.scenario.startOffsets?.stdout ?? 0;
    expect(ending(played)).toBe(row.end);
    expect(played.offsets.stdout).toEqual(row.offsets);
    expect(played.sleeps).toEqual(row.waits);
    expect(played.writes.stdout.map((w) => w.text).join('')).toBe(row.bytes ?? OUT.slice(start));
    expect(contiguous(played.writes.stdout, start)).toBe(true);
    // Every counted retry waited what was chosen for it, numbered within --max-retries.
    const retries = counted(played);
    const statusWaits = played.events.filter((e) => e.type === 'retrying' && e.stream === 'status').length;
    expect(retries.map((e) => e.delayMs)).toEqual(played.sleeps.slice(statusWaits));
    for (const retry of retries) expect(retry.attempt).toBeLessThanOrEqual(row.scenario.maxRetries ?? 3);
    if (row.atOnce === true) expect(played.events).toContainEqual(expect.objectContaining({ type: 'retrying', stream: 'stdout', attempt: 0, delayMs: 0 }));
    if (played.result.ok) expect(played.events.filter((e) => e.type === 'drained').length).toBe(1);
    else expect(played.events.some((e) => e.type === 'drained')).toBe(false);
  });
});

describe('followExecution: one chunk that fits both offset meanings (resumed near the end): the stream\'s start tells, nothing is guessed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  // The probe's own time-out is a sleep too (IDLE_MS, cancelled once it is answered).
  it.each<{ name: string; scenario: Scenario; offsets: number[]; waits: number[]; bytes: string }>([
    {
      name: "resumed at 8 on a 'start' service, the rest in one chunk (a resend of 2..8 under 'end'): held, the probe says 'start'",
      scenario: stdout([rest(), send(4), nothing], completedAfter(1), { meaning: 'start', startOffsets: { stdout: 8 } }),
      offsets: [8, 0, OUT.length],
      waits: [IDLE_MS],
      bytes: OUT.slice(8),
    },
    {
      name: 'the probe gets no answer: the connection and the probe are asked again, after a counted wait',
      scenario: stdout([rest(), http(503), rest(), send(4), nothing], completedAfter(1), { meaning: 'start', startOffsets: { stdout: 8 } }),
      offsets: [8, 0, 8, 0, OUT.length],
      waits: [IDLE_MS, ...backoff(1), IDLE_MS],
      bytes: OUT.slice(8),
    },
    {
      name: "resumed at the end on an 'end' service that resends the last chunk: the probe says 'end', nothing written",
      scenario: stdout([{ steps: [{ chunk: 'three\n', offset: OUT.length }], end: 'ended' }, send(4), nothing], completedAfter(0), { startOffsets: { stdout: OUT.length } }),
      offsets: [OUT.length, 0],
      waits: [IDLE_MS],
      bytes: '',
    },
  ])('$name', async ({ scenario, offsets, waits, bytes }) => {
    const played = await playScenario(scenario);
    expect(ending(played)).toBe(0);
    expect(played.offsets.stdout).toEqual(offsets);
    expect(played.sleeps).toEqual(waits);
    expect(played.writes.stdout.map((w) => w.text).join('')).toBe(bytes);
  });
});

describe('followExecution: drain after completion', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each<[string, ConnectionScript, number]>([
    ['closed at once', nothing, 0],
    ['kept open in silence', { end: 'hang' }, IDLE_MS],
    ['kept open with keep-alives', { end: 'keep-alive' }, IDLE_MS],
    ['kept open with a byte a second', { end: 'trickle' }, IDLE_MS],
    ['the last chunk sent again, then closed', { steps: [{ chunk: 'three\n', offset: OUT.length }], end: 'ended' }, 0],
    ['the last chunk sent again, then kept open', { steps: [{ chunk: 'three\n', offset: OUT.length }], end: 'keep-alive' }, IDLE_MS],
  ])('the drain connection %s: done within the idle time-out, nothing written twice', async (_name, drain, within) => {
    const played = await playScenario(stdout([all, drain], completedAfter(1)));
    expect(ending(played)).toBe(0);
    expect(played.offsets.stdout).toEqual([0, OUT.length]);
    expect(played.writes.stdout.map((w) => w.text).join('')).toBe(OUT);
    expect(played.elapsedMs).toBeLessThanOrEqual(within);
    expect(played.sleeps).toEqual([]);
  });

  it('the command completes while a connection only keeps alive: the next one probes for DRAIN_PROBE_MS', async () => {
    const played = await playScenario(stdout([rest('keep-alive'), { end: 'keep-alive' }], completedAt(15_000)));
    expect(ending(played)).toBe(0);
    // The first connection is quiet from 0; its status checks at 10 s (running) and 20 s
    // (completed) end it; the drain connection waits the probe out.
    expect(played.elapsedMs).toBe(2 * IDLE_MS + DRAIN_PROBE_MS);
    expect(played.offsets.stdout).toEqual([0, OUT.length]);
  });
});

describe('followExecution: two streams', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('both streams drained, each with its own reconnects; the exit status once both are done', async () => {
    const played = await playScenario({
      connections: { stdout: [send(4, cut), rest(), nothing], stderr: [refused, all, nothing] },
      status: completedAfter(4),
      exitStatus: 7,
    });
    expect(ending(played)).toBe(7);
    expect(played.writes.stdout.map((w) => w.text).join('')).toBe(OUT);
    expect(played.writes.stderr.map((w) => w.text).join('')).toBe(DEFAULT_OUTPUTS.stderr);
    // Which stream asks the status first decides whether one more connection is needed: only
    // where each resumed is fixed.
    expect(played.offsets.stdout.slice(0, 2)).toEqual([0, 4]);
    expect(new Set(played.offsets.stdout.slice(2))).toEqual(new Set([OUT.length]));
    expect(played.offsets.stderr.slice(0, 2)).toEqual([0, 0]);
    expect(new Set(played.offsets.stderr.slice(2))).toEqual(new Set([DEFAULT_OUTPUTS.stderr.length]));
  });

  it("one stream failing for good stops the other's connection at once", async () => {
    const played = await playScenario({ connections: { stdout: [send(4), http(401)], stderr: [{ end: 'keep-alive' }] }, status: completedAfter(99) });
    expect(ending(played)).toBe('auth');
    expect(played.offsets.stderr).toEqual([0]);
    expect(played.elapsedMs).toBe(0);
  });

  it('bytes the service no longer has are reported as a gap and counted, never invented', async () => {
    const gap: ConnectionScript = { steps: [{ chunk: 'one\n', offset: 4 }, { chunk: 'three\n', offset: OUT.length }], end: 'ended' };
    const played = await playScenario(stdout([gap, nothing], completedAfter(1)));
    expect(played.result.ok && played.result.value.missingBytes).toBe(4);
    expect(played.writes.stdout).toEqual([
      { text: 'one\n', offset: 0 },
      { text: 'three\n', offset: 8 },
    ]);
    expect(played.events).toContainEqual({ type: 'gap', stream: 'stdout', offset: 4, length: 4 });
  });
});
