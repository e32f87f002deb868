/**
 * Which of a follow's events become notes, and which text each gets (the texts are all in
 * render/status-line.ts). A gap always shows (the output is incomplete); a reconnect on a terminal,
 * with --verbose, or when its wait is longer than the backoff ever makes by itself (a long
 * Retry-After: a silent multi-minute pause looks like a hang); the rest only with --verbose.
 */
import { defaultBackoff } from '../api/backoff.js';
import {
  drainedNote,
  exitedNote,
  gapNote,
  reconnectNote,
  replacedNote,
  resentNote,
  statusRetryNote,
  waitingNote,
} from '../render/status-line.js';
import type { FollowEvent } from '../stream/types.js';

export interface NotePolicy {
  /** --verbose. */
  readonly verbose: boolean;
  /** Our notes go to a terminal. */
  readonly terminal: boolean;
}

/** The note an event gets, or undefined when it gets none. */
export function eventNote(event: FollowEvent, policy: NotePolicy): string | undefined {
  switch (event.type) {
    case 'gap':
      return gapNote(event.stream, event.offset, event.length);
    case 'retrying':
      if (!policy.terminal && !policy.verbose && event.delayMs <= defaultBackoff.maxMs) return undefined;
      return event.stream === 'status'
        ? statusRetryNote(event.reason, event.delayMs, event.attempt)
        : reconnectNote(event.stream, event.offset, event.attempt, { delayMs: event.delayMs, reason: event.reason });
    case 'waiting':
      return policy.verbose ? waitingNote(event.status) : undefined;
    case 'resent':
      return policy.verbose ? resentNote(event.stream, event.bytes) : undefined;
    case 'replaced':
      return policy.verbose ? replacedNote(event.stream, event.offset) : undefined;
    case 'drained':
      return policy.verbose ? drainedNote(event.stream, event.offset) : undefined;
    case 'completed':
      return policy.verbose ? exitedNote(event.exitStatus) : undefined;
    case 'connecting':
    case 'data':
      return undefined;
  }
}
