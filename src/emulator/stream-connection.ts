/**
 * One stream connection: reads an execution's output file from a byte offset in pieces, follows it
 * while the execution runs, and writes it as SSE events, carrying out the fault plan on the way.
 */
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution } from './execution.js';
import { cutLength, planEvent, type EventPlan, type Faults } from './faults.js';
import type { StreamName } from '../api/wire.js';
import type { Random } from './random.js';
import { encodeErrorEvent, encodeEvent, type SseWriter } from './sse-writer.js';
import { sequenceLength } from '../render/utf8.js';
import { characterStart, eventLength } from './utf8.js';

/** How often a connection looks for new output while the execution runs. */
export const pollIntervalMs = 20;

/** Everything one connection needs. */
export interface StreamConnection {
  readonly execution: Execution;
  readonly stream: StreamName;
  /** Where to start (the requested offset, moved by a resend or a gap). */
  readonly start: number;
  /**
   * Which way to move `start` when it falls inside a character: back (a resend of the character's
   * first bytes) or forward (past it, part of a gap).
   */
  readonly align: 'back' | 'forward';
  /** The live fault options: a change on a running server reaches open connections. */
  readonly faults: () => Faults;
  readonly random: Random;
  readonly writer: SseWriter;
  /** Aborted when the client goes away or the server closes. */
  readonly signal: AbortSignal;
}

/** How a connection finished. */
export type StreamOutcome = 'ended' | 'idle' | 'cut' | 'closed';

async function readAt(handle: FileHandle, buffer: Buffer, position: number, length: number): Promise<Buffer> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted: the caller sees signal.aborted
  }
}

/** Moves `position` out of the middle of a character, `direction` says which way. */
async function alignPosition(handle: FileHandle, position: number, direction: 'back' | 'forward'): Promise<number> {
  const from = Math.max(0, position - 3);
  const bytes = await readAt(handle, Buffer.alloc(8), from, 8);
  const at = position - from;
  const start = characterStart(position, bytes.subarray(0, at), bytes[at]);
  if (start === position || direction === 'back') return start;
  const lead = bytes[start - from] ?? 0;
  return start + sequenceLength(lead);
}

/** Streams until the output is complete, the connection idles out, is cut, or goes away. */
export async function streamOutput(connection: StreamConnection): Promise<StreamOutcome> {
  const { execution, stream, writer, signal } = connection;
  const handle = await execution.output.openForReading(stream);
  let buffer = Buffer.allocUnsafe(0);
  let position = connection.start;
  let aligned = position === 0;
  let known = 0; // the file length last seen; refreshed only when the connection has caught up
  let plan: EventPlan | undefined; // drawn once per event, kept while waiting for its bytes
  let lastOutputAt = Date.now();
  let lastWriteAt = lastOutputAt;
  try {
    while (!signal.aborted && !writer.closed) {
      const final = execution.finalLength(stream);
      // Once completed, the final length is the truth (a size seen earlier may be short of it, or
      // include bytes a background process wrote after the shell exited).
      if (final !== undefined) known = final;
      else if (position >= known) known = await execution.output.size(stream);
      if (position < known) {
        if (!aligned) {
          position = await alignPosition(handle, position, connection.align);
          aligned = true;
          continue;
        }
        const faults = connection.faults();
        plan ??= planEvent(faults, connection.random);
        const want = Math.min(plan.maxBytes, known - position);
        // Three more bytes, to send a whole character when it is longer than the chunk size.
        const readLength = Math.min(want + 3, known - position);
        if (buffer.length < readLength) buffer = Buffer.allocUnsafe(Math.max(readLength, 64 * 1024));
        const bytes = await readAt(handle, buffer, position, readLength);
        const take = eventLength(bytes, want, final !== undefined && position + bytes.length === final);
        if (take === 0) {
          // The rest of a character is still to be written: wait for it.
          known = position;
          await pause(pollIntervalMs, signal);
          continue;
        }
        const offset = faults.offsetMode === 'end' ? position + take : position;
        const event = encodeEvent(bytes.subarray(0, take).toString('utf8'), offset);
        if (plan.stallMs > 0) await pause(plan.stallMs, signal);
        if (signal.aborted) break;
        const cut = cutPoint(event.length, plan, faults.cutAfterBytes, writer.bytesWritten);
        if (cut !== undefined) {
          await writer.cut(event.subarray(0, cut));
          return 'cut';
        }
        await writer.write(event);
        position += take;
        plan = undefined;
        lastOutputAt = lastWriteAt = Date.now();
        continue;
      }
      if (final !== undefined) {
        writer.end();
        return 'ended';
      }
      const { idleTimeoutMs, keepAliveMs } = connection.faults();
      const now = Date.now();
      if (idleTimeoutMs > 0 && now - lastOutputAt >= idleTimeoutMs) {
        await writer.write(encodeErrorEvent(408, `no output for ${idleTimeoutMs} ms; resume from offset ${position}`));
        writer.end();
        return 'idle';
      }
      if (keepAliveMs > 0 && now - lastWriteAt >= keepAliveMs) {
        await writer.comment('keep-alive');
        lastWriteAt = Date.now();
      }
      await pause(pollIntervalMs, signal);
    }
    return 'closed';
  } finally {
    await handle.close();
  }
}

/** Where to cut an event, if anywhere: its own cut fault, or the connection's byte budget. */
export function cutPoint(eventLength: number, plan: EventPlan, cutAfterBytes: number, bytesWritten: number): number | undefined {
  let cut = plan.cutAt === undefined ? undefined : cutLength(eventLength, plan.cutAt);
  if (cutAfterBytes > 0 && bytesWritten + eventLength > cutAfterBytes) {
    const budget = cutLength(eventLength, (cutAfterBytes - bytesWritten) / eventLength);
    cut = Math.min(cut ?? budget, budget);
  }
  return cut;
}
