import type { StreamName } from '../api/wire.js';

/** The two outputs of an execution, defined with the service's shapes (api/wire.ts). */
export type { StreamName };

/** Where followed bytes go. The tail command builds one for the terminal, a pipe or JSON lines. */
export interface OutputSink {
  /** New bytes of a stream, in order, each exactly once; `offset` is the stream offset of bytes[0]. */
  write(stream: StreamName, bytes: Buffer, offset: number): void;
  /**
   * After the writes of one placement: the stream stands at offset `position`, and the last
   * `unplaced` bytes written stand for bytes from there on (a text holding U+FFFD whose original
   * length the next chunk tells; 0 otherwise). For `--save`, which must know where its files resume.
   */
  placed?(stream: StreamName, position: number, unplaced: number): void;
  /** Back-pressure: a promise while the output behind `stream` is full, else undefined. */
  ready(stream: StreamName): Promise<void> | undefined;
  /** Writes now whatever the sink holds for a later write (before a note goes to the same output). */
  flush?(): void;
  /** The stream is drained: every byte the execution wrote has been written. */
  end(stream: StreamName): void;
  /** Stopping early (Ctrl-C, time-out, failure): write whatever is held so it matches the offsets. */
  close(): void;
  /**
   * Whether the stream is connected (`true` once a response arrives, `false` when a connection
   * ends before the stream is drained). A line sink waits for a partial line's newline only while
   * connected: a pause caused by a reconnect is not the remote command being quiet.
   */
  connected?(stream: StreamName, connected: boolean): void;
}

/** What a follower reports as it goes, for the spinner, notes and --verbose. */
export type FollowEvent =
  | { readonly type: 'waiting'; readonly status: 'queued' }
  | { readonly type: 'connecting'; readonly stream: StreamName; readonly offset: number; readonly attempt: number }
  | { readonly type: 'data'; readonly stream: StreamName }
  | {
      readonly type: 'retrying';
      readonly stream: StreamName | 'status';
      readonly offset: number;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: 'gap'; readonly stream: StreamName; readonly offset: number; readonly length: number }
  | { readonly type: 'resent'; readonly stream: StreamName; readonly bytes: number }
  /** A chunk's text was not the byte length its offsets say (bytes that were not UTF-8 arrive as U+FFFD); once per stream. */
  | { readonly type: 'replaced'; readonly stream: StreamName; readonly offset: number }
  | { readonly type: 'drained'; readonly stream: StreamName; readonly offset: number }
  | { readonly type: 'completed'; readonly exitStatus: number | null };
