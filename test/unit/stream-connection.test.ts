import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { openConnection, type ConnectionOutcome } from '../../src/stream/connection.js';
import type { Chunk } from '../../src/stream/cursor.js';
import { listenOnLoopback, type Listening } from '../helpers/loopback.js';

// One small server; the path names what it answers.
const answers: Record<string, (res: ServerResponse) => void> = {
  '/events': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"output":"ab","offset":2}\r\revent: update\rdata: {"output":"c","offset":3}\r\r');
  },
  '/error-408': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"output":"ab","offset":2}\n\nevent: error\ndata: {"code":"408","message":"idle"}\n\ndata: {"output":"never","offset":7}\n\n');
  },
  '/huge-line': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"output":"ok","offset":2}\n\n');
    res.end(`data: {"output":"${'x'.repeat(4096)}`); // no line end: held until the cap
  },
  '/gzip': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
    res.end(gzipSync('data: {"output":"zipped","offset":6}\n\n'));
  },
  '/cut': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"output":"ab","offset":2}\n\ndata: {"outp', () => res.socket?.destroy());
  },
};

let server: Listening | undefined;
let base: string;
const requests: Record<string, string | undefined>[] = [];
beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((req, res) => {
      requests.push({ 'accept-encoding': req.headers['accept-encoding'] });
      (answers[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
    }),
  );
  base = server.url;
});
afterAll(async () => {
  await server?.close();
});

async function connect(path: string, maxEventBytes?: number): Promise<{ outcome: ConnectionOutcome; chunks: string[] }> {
  const chunks: string[] = [];
  const outcome = await openConnection({
    url: new URL(path, base),
    apiKey: 'k_test_0000',
    signal: new AbortController().signal,
    onChunk: (chunk: Chunk) => chunks.push(`${chunk.bytes.toString()}@${chunk.offset}`),
    onActivity: () => undefined,
    ready: () => undefined,
    maxEventBytes,
  });
  return { outcome, chunks };
}

describe('openConnection', () => {
  it('reads CR line ends and takes events of any other name as chunks', async () => {
    expect(await connect('/events')).toEqual({ outcome: { kind: 'ended' }, chunks: ['ab@2', 'c@3'] });
  });

  it('an error event ends the connection with its status; nothing after it is read', async () => {
    expect(await connect('/error-408')).toEqual({ outcome: { kind: 'stream-error', status: 408, message: 'idle' }, chunks: ['ab@2'] });
  });

  it('a line above the cap is a protocol error, not memory', async () => {
    const { outcome, chunks } = await connect('/huge-line', 1024);
    expect(chunks).toEqual(['ok@2']);
    expect(outcome).toEqual({ kind: 'protocol', message: 'an SSE line is longer than 1024 bytes' });
  });

  it('asks for identity and still decodes a gzip body', async () => {
    expect(await connect('/gzip')).toEqual({ outcome: { kind: 'ended' }, chunks: ['zipped@6'] });
    expect(requests.at(-1)).toEqual({ 'accept-encoding': 'identity' });
  });

  it('a cut mid-event keeps the complete events and drops the partial one', async () => {
    const { outcome, chunks } = await connect('/cut');
    expect(chunks).toEqual(['ab@2']);
    expect(outcome.kind).toBe('cut');
  });
});
