/**
 * The SSE writer's back-pressure: writes go on while less than SSE_BUFFER_BYTES wait in the
 * response (Node's 16 KiB default is less than one event), then wait for 'drain' or 'close'.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SSE_BUFFER_BYTES, SseWriter, encodeEvent } from '../../src/emulator/sse-writer.js';

/** A response that keeps what is written until the test says it drained. */
class FakeResponse extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  writableEnded = false;
  socket = {};
  written: Buffer[] = [];
  write(bytes: Buffer): boolean {
    this.written.push(bytes);
    this.writableLength += bytes.length;
    return this.writableLength < 16 * 1024;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('SseWriter.write', () => {
  it('does not wait while less than SSE_BUFFER_BYTES are buffered, though the socket asked for a drain', async () => {
    const response = new FakeResponse();
    const writer = new SseWriter(response as unknown as ServerResponse);
    const event = Buffer.alloc(32 * 1024, 0x61);
    expect(await settled(writer.write(event))).toBe(true);
    expect(await settled(writer.write(event))).toBe(true);
    expect(writer.bytesWritten).toBe(2 * event.length);
  });

  it('waits for drain once SSE_BUFFER_BYTES are buffered, and for close if the client goes away', async () => {
    const response = new FakeResponse();
    const writer = new SseWriter(response as unknown as ServerResponse);
    const big = Buffer.alloc(SSE_BUFFER_BYTES, 0x61);
    const waiting = writer.write(big);
    expect(await settled(waiting)).toBe(false);
    response.drain();
    expect(await settled(waiting)).toBe(true);

    const again = writer.write(big);
    expect(await settled(again)).toBe(false);
    response.emit('close');
    expect(await settled(again)).toBe(true);
    expect(response.listenerCount('drain')).toBe(0);
  });

  it('encodes an event as one data line', () => {
    expect(encodeEvent('a\nb "é"', 7).toString('utf8')).toBe('data: {"output":"a\\nb \\"é\\"","offset":7}\n\n');
  });
});
