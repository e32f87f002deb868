/**
 * `--tail N`: in front of the sink of a view, each stream starts in its first burst, where every
 * byte goes into a ring of the last N lines at full speed (no back-pressure, nothing written); when
 * the burst ends the ring is written, and from then on bytes pass straight through. No byte after
 * the ring's first one is skipped or written twice, so the offsets stay exact.
 *
 * The first burst of a stream ends when it is drained (exact for a completed execution), when the
 * follow stops early, or — unless the execution had completed when the follow began — after a
 * quiet spell while connected: what the service had sent by then is "what was written so far".
 * The quiet spell counts only while connected, so a reconnect in the middle of the backlog does not
 * end the burst.
 */
import { createLineRing, type LineRing } from '../render/line-ring.js';
import type { OutputSink, StreamName } from '../stream/types.js';

/**
 * The quiet spell that ends the first burst of a running execution. The service sends its backlog
 * back to back; a command's own pauses are what it waits for. Longer would delay the first lines
 * of every `--tail` on a running command; shorter could take a hiccup inside the backlog for its end.
 */
export const BURST_QUIET_MS = 250;

export interface TailSinkOptions {
  /** N: lines per stream to start with (0: only new output). */
  readonly lines: number;
  readonly quietMs?: number;
  /** Runs a callback once the reads already waiting have been handled (default: setImmediate). */
  readonly afterPendingReads?: (callback: () => void) => void;
  /** Told when a stream's first burst ends: where the lines shown start and where live output starts. */
  readonly onBurstEnd?: (stream: StreamName, shownFrom: number | undefined, receivedTo: number | undefined) => void;
}

/** The tail sink: an OutputSink, and a way to say the execution had completed when the follow began. */
export interface TailSink extends OutputSink {
  /** From now on a burst ends only at the drain (or an early stop): the output is complete already. */
  executionCompleted(): void;
}

interface Burst {
  readonly ring: LineRing;
  timer: NodeJS.Timeout | undefined;
  connected: boolean;
  /** Where the bytes received so far end. */
  position: number | undefined;
  /** Counts writes and connection changes: a quiet spell is over only if none came during it. */
  activity: number;
}

export function createTailSink(inner: OutputSink, options: TailSinkOptions): TailSink {
  const quietMs = options.quietMs ?? BURST_QUIET_MS;
  const afterPendingReads = options.afterPendingReads ?? ((callback: () => void) => void setImmediate(callback));
  // A stream is in its first burst while it has an entry here; `null` once it is live.
  const bursts: Partial<Record<StreamName, Burst | null>> = {};
  let untilDrained = false;

  const burstOf = (stream: StreamName): Burst | null => {
    const known = bursts[stream];
    if (known !== undefined) return known;
    const burst: Burst = { ring: createLineRing(options.lines), timer: undefined, connected: false, position: undefined, activity: 0 };
    bursts[stream] = burst;
    return burst;
  };
  const endBurst = (stream: StreamName) => {
    const burst = bursts[stream];
    if (!burst) return;
    clearTimeout(burst.timer);
    bursts[stream] = null;
    const runs = burst.ring.drain();
    for (const run of runs) inner.write(stream, run.bytes, run.offset);
    options.onBurstEnd?.(stream, runs[0]?.offset, burst.position);
  };
  const arm = (stream: StreamName, burst: Burst) => {
    burst.activity++;
    if (untilDrained || !burst.connected) {
      clearTimeout(burst.timer);
      burst.timer = undefined;
    } else if (burst.timer) {
      burst.timer.refresh();
    } else {
      burst.timer = setTimeout(() => spellOver(stream, burst), quietMs);
    }
  };
  // Node runs due timers before it reads the sockets that became readable meanwhile: after this
  // process was paused (a busy machine), bytes of the backlog may be waiting unread when the timer
  // fires. setImmediate runs after that read; only if nothing came in by then was the spell quiet.
  const spellOver = (stream: StreamName, burst: Burst) => {
    const seen = burst.activity;
    afterPendingReads(() => {
      if (bursts[stream] === burst && burst.activity === seen && burst.connected && !untilDrained) endBurst(stream);
    });
  };

  return {
    write(stream, bytes, offset) {
      const burst = burstOf(stream);
      if (!burst) return inner.write(stream, bytes, offset);
      burst.ring.push(bytes, offset);
      burst.position = offset + bytes.length;
      arm(stream, burst);
    },
    // Read the first burst at full speed: nothing is written until it ends.
    ready: (stream) => (burstOf(stream) ? undefined : inner.ready(stream)),
    connected(stream, connected) {
      const burst = burstOf(stream);
      if (burst) {
        burst.connected = connected;
        arm(stream, burst);
      }
      inner.connected?.(stream, connected);
    },
    flush: () => inner.flush?.(),
    end(stream) {
      endBurst(stream);
      inner.end(stream);
    },
    close() {
      for (const stream of Object.keys(bursts) as StreamName[]) endBurst(stream);
      inner.close();
    },
    executionCompleted() {
      untilDrained = true;
      for (const [stream, burst] of Object.entries(bursts) as [StreamName, Burst | null][]) if (burst) arm(stream, burst);
    },
  };
}
