/**
 * One read buffer for every socket of our requests. node:http's sockets read into a fresh 64 KiB
 * Buffer per read, which lives outside V8's heap until a collection finds it: at the rate a follow
 * reads, that is a share of its private memory and of its CPU (malloc and free on V8's background
 * threads, page faults). `net` and `tls` sockets accept `onread: {buffer, callback}` to read into
 * one buffer instead, and http.Agent hands a request's options on to the socket it creates; the
 * socket then calls the callback in place of emitting 'data', so the callback emits it for
 * node:http's own listener, or, on a socket whose event-stream body was claimed, to the socket's
 * tap (body-tap.ts), which copies the body's bytes out itself. Measured on a 256 MiB follow: peak
 * RSS 64-66 → 60-62 MiB (BENCHMARKS.md).
 *
 * Why one buffer is enough and safe: node:http's parser runs synchronously inside that 'data' and
 * copies each body piece out (on Node 20 every body chunk is a Buffer of its own: checked, not
 * assumed, by {@link ownBytes} on every chunk a stream reads), so nothing holds the buffer when the
 * next read, on this socket or another, overwrites it: reads are handled one at a time on the one
 * thread. Sockets that proxy agents open themselves keep Node's own reads.
 */
import type { Socket } from 'node:net';
import { tapOf } from './body-tap.js';

/** 64 KiB: the most libuv reads from a TCP socket at once anyway. */
const SHARED = Buffer.allocUnsafeSlow(64 * 1024);

function handToHttp(this: Socket, bytes: number, buffer: Buffer): void {
  const tap = tapOf(this);
  if (tap === undefined) this.emit('data', buffer.subarray(0, bytes));
  else tap.read(buffer, bytes); // an event stream's body is read without node:http (body-tap.ts)
}

/** The request option that makes a new connection read into the shared buffer. */
export const sharedReadOption = { onread: { buffer: SHARED, callback: handToHttp } } as const;

/**
 * `bytes` itself, or a copy of it when it is (a view of) the shared read buffer, which the next read
 * overwrites: a Node whose http parser handed out views of the read would otherwise corrupt output.
 */
export function ownBytes(bytes: Buffer): Buffer {
  return bytes.buffer === SHARED.buffer ? Buffer.from(bytes) : bytes;
}
