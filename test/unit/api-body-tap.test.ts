/**
 * The body tap against raw TCP servers that write a scripted response in scripted pieces: the
 * shapes node:http's server never makes (1xx before the answer, LF-only heads, trailers, bad
 * chunk sizes, cuts in the middle of a chunk, responses the tap must leave to node:http).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { httpRequest, readText, type HttpResponse } from '../../src/api/http.js';
import { createTransport, type Transport } from '../../src/api/transport.js';
import { ChunkedBodyError } from '../../src/api/chunked-body.js';

/** What the server answers to the next connection's request: the bytes, and where to cut them into writes. */
interface Script {
  readonly bytes: Buffer;
  readonly cuts?: readonly number[];
  /** Destroy the connection after writing instead of keeping it open. */
  readonly hangUp?: boolean;
}

let server: Server;
let base: string;
let transport: Transport;
const scripts: Script[] = [];
const sockets = new Set<Socket>();

/** Writes `script` in its pieces, each after the previous one was handed to the kernel. */
async function play(socket: Socket, script: Script): Promise<void> {
  const inside = (script.cuts ?? []).filter((c) => c > 0 && c < script.bytes.length);
  const points = [...new Set([0, ...inside, script.bytes.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const piece = script.bytes.subarray(points[i], points[i + 1]);
    if (piece.length > 0) await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
  }
  if (script.hangUp === true) socket.destroy();
}

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let request = '';
    socket.on('data', (bytes: Buffer) => {
      request += bytes.toString('latin1');
      // One script per request (requests here have no body).
      while (request.includes('\r\n\r\n')) {
        request = request.slice(request.indexOf('\r\n\r\n') + 4);
        const script = scripts.shift();
        if (script === undefined) socket.destroy();
        else void play(socket, script);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  transport = createTransport({});
});
afterEach(() => {
  scripts.length = 0;
});
afterAll(async () => {
  transport.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const head = (status: string, headers: Record<string, string>, lineEnd = '\r\n') =>
  `HTTP/1.1 ${status}${lineEnd}${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}${lineEnd}`)
    .join('')}${lineEnd}`;

/** Chunked coding of `data` in chunks of `size` bytes. */
function chunked(data: Buffer, size: number, trailer = ''): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = data.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

/** Event-stream-like data with CRLFs and CRLF CRLFs in it (what a head splitter must not be fooled by). */
function streamData(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 97 === 0 ? 0x0d : i % 97 === 1 ? 0x0a : 0x41 + ((i * 7) % 26);
  bytes.write('\r\n\r\n', 10, 'latin1');
  return bytes;
}

const streamHead = head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });

/** Reads a tapped body to its end, failure or the connection's end. */
function drain(response: HttpResponse): Promise<{ data: Buffer; ended: boolean; failure?: Error; broke: boolean }> {
  const tap = response.tap;
  if (tap === undefined) throw new Error('no tap');
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let paused = false;
    const done = (result: { ended: boolean; failure?: Error; broke: boolean }) => resolve({ data: Buffer.concat(parts), ...result });
    response.body.on('close', () => done({ ended: false, broke: true }));
    response.body.on('error', () => done({ ended: false, broke: true }));
    tap.attach({
      data: (piece) => {
        parts.push(piece);
        if (!paused && parts.length === 1) {
          // Back-pressure once: nothing is lost across a pause.
          paused = true;
          tap.pause();
          // The socket itself stops reading (back-pressure reaches TCP), and reads again after.
          expect(response.body.socket.isPaused()).toBe(true);
          setImmediate(() => {
            tap.resume();
            expect(response.body.socket.isPaused()).toBe(false);
          });
        }
      },
      end: () => done({ ended: true, broke: false }),
      fail: (failure) => done({ ended: false, failure, broke: false }),
    });
  });
}

/** Cut points that put a head's end, and chunk frames, across writes. */
function cutsFor(total: number, headLength: number, seed: number): number[] {
  const cuts = [headLength - 3, headLength - 1, headLength + 2];
  for (let at = seed; at < total; at += 1 + ((at * 31 + seed) % 4093)) cuts.push(at);
  return cuts;
}

describe('the body tap claims a 200 chunked stream and reads it exactly', () => {
  it.each([1, 2, 3, 5, 8])('in writes cut at positions of seed %i', async (seed) => {
    const data = streamData(200_000 + seed);
    const bytes = Buffer.concat([Buffer.from(streamHead, 'latin1'), chunked(data, 3000 + seed * 1111)]);
    scripts.push({ bytes, cuts: cutsFor(bytes.length, streamHead.length, seed) });
    const response = await httpRequest(new URL(`${base}/stream`), { transport, tapBody: true });
    expect(response.status).toBe(200);
    expect(response.tap).toBeDefined();
    const result = await drain(response);
    expect(result).toMatchObject({ ended: true, broke: false });
    expect(result.data.equals(data)).toBe(true);
    response.body.destroy();
  });

  it('after 1xx answers, and with trailers', async () => {
    const data = streamData(70_000);
    const informational = head('100 Continue', {}) + head('103 Early Hints', { link: '</a>; rel=preload' });
    const bytes = Buffer.concat([Buffer.from(informational + streamHead, 'latin1'), chunked(data, 16_384, 'x-checksum: 1\r\n')]);
    scripts.push({ bytes, cuts: cutsFor(bytes.length, informational.length + streamHead.length, 4) });
    const response = await httpRequest(new URL(`${base}/informational`), { transport, tapBody: true });
    expect(response.tap).toBeDefined();
    const result = await drain(response);
    expect(result.ended).toBe(true);
    expect(result.data.equals(data)).toBe(true);
    response.body.destroy();
  });

  it('reports a body that is not chunked coding, after the data before it', async () => {
    const data = streamData(5000);
    const bytes = Buffer.concat([Buffer.from(streamHead, 'latin1'), chunked(data, 5000).subarray(0, -5), Buffer.from('zz\r\n')]);
    scripts.push({ bytes });
    const response = await httpRequest(new URL(`${base}/bad`), { transport, tapBody: true });
    const result = await drain(response);
    expect(result.failure).toBeInstanceOf(ChunkedBodyError);
    expect(result.data.equals(data)).toBe(true);
    response.body.destroy();
  });

  it('sees a connection cut in the middle of a chunk as a break, not an end', async () => {
    const data = streamData(50_000);
    const body = chunked(data, 20_000);
    scripts.push({ bytes: Buffer.concat([Buffer.from(streamHead, 'latin1'), body.subarray(0, 30_000)]), hangUp: true });
    const response = await httpRequest(new URL(`${base}/cut`), { transport, tapBody: true });
    const result = await drain(response);
    expect(result).toMatchObject({ ended: false, broke: true });
    expect(data.subarray(0, result.data.length).equals(result.data)).toBe(true);
  });
});

describe('the body tap leaves other responses to node:http', () => {
  const data = streamData(40_000);
  const shapes: [string, Buffer, number][] = [
    ['a body with a length', Buffer.concat([Buffer.from(head('200 OK', { 'content-type': 'text/event-stream', 'content-length': String(data.length) }), 'latin1'), data]), 200],
    ['a status other than 200', Buffer.concat([Buffer.from(head('503 Service Unavailable', { 'transfer-encoding': 'chunked' }), 'latin1'), chunked(data, 7000)]), 503],
    ['a compressed body', Buffer.concat([Buffer.from(head('200 OK', { 'transfer-encoding': 'chunked', 'content-encoding': 'gzip' }), 'latin1'), chunked(gzipSync(data), 7000)]), 200],
  ];
  it.each(shapes)('%s', async (_name, bytes, status) => {
    scripts.push({ bytes, cuts: [5, 40, 77, 300, 9000] });
    const response = await httpRequest(new URL(`${base}/other`), { transport, tapBody: true });
    expect(response.status).toBe(status);
    expect(response.tap).toBeUndefined();
    const parts: Buffer[] = [];
    for await (const piece of response.body as AsyncIterable<Buffer>) parts.push(piece);
    const received = Buffer.concat(parts);
    expect(response.headers['content-encoding'] === 'gzip' ? received.equals(gzipSync(data)) : received.equals(data)).toBe(true);
  });

  it('a head with LF line ends is refused by node:http as it is without a tap', async () => {
    const bytes = Buffer.concat([Buffer.from(head('200 OK', { 'transfer-encoding': 'chunked' }, '\n'), 'latin1'), chunked(data, 7000)]);
    scripts.push({ bytes, cuts: [20, 41] }, { bytes, cuts: [20, 41] });
    const without = await httpRequest(new URL(`${base}/lf`), { transport }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const tapped = await httpRequest(new URL(`${base}/lf`), { transport, tapBody: true }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(without).toMatch(/Parse Error/);
    expect(tapped).toBe(without);
  });

  it('a kept-alive socket: a refused tap, then a request without one, then a tap again', async () => {
    const keepAlive = { connection: 'keep-alive' };
    const small = Buffer.from('not here');
    const first = Buffer.concat([Buffer.from(head('404 Not Found', { ...keepAlive, 'content-length': String(small.length) }), 'latin1'), small]);
    const second = Buffer.concat([Buffer.from(head('200 OK', { ...keepAlive, 'transfer-encoding': 'chunked' }), 'latin1'), chunked(data, 9000)]);
    const third = Buffer.concat([Buffer.from(streamHead, 'latin1'), chunked(data, 11_000)]);
    scripts.push({ bytes: first }, { bytes: second }, { bytes: third });
    const connections = sockets.size;
    const refused = await httpRequest(new URL(`${base}/one`), { transport, tapBody: true });
    expect(refused.tap).toBeUndefined();
    expect(await readText(refused.body)).toBe('not here');
    const plain = await httpRequest(new URL(`${base}/two`), { transport });
    expect(plain.tap).toBeUndefined();
    expect(Buffer.from(await readText(plain.body, 1 << 20), 'utf8').equals(data)).toBe(true);
    const tapped = await httpRequest(new URL(`${base}/three`), { transport, tapBody: true });
    expect(tapped.tap).toBeDefined();
    const result = await drain(tapped);
    expect(result.ended).toBe(true);
    expect(result.data.equals(data)).toBe(true);
    expect(sockets.size - connections).toBeLessThanOrEqual(1); // the socket was reused
    tapped.body.destroy();
  });
});
