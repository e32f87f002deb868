import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '../../src/api/http.js';
import { ownBytes, sharedReadOption } from '../../src/api/read-buffer.js';
import { createTransport, type Transport } from '../../src/api/transport.js';

const shared = sharedReadOption.onread.buffer;

/** The body a path answers: `size` bytes of a pattern that tells the paths and positions apart. */
function body(path: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (path.charCodeAt(1) + i * 7 + (i >> 10)) & 0xff;
  return bytes;
}

const SIZE = 3 * 1024 * 1024 + 17;
let server: Server;
let base: string;
let transport: Transport;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body(req.url ?? '/', SIZE));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = createTransport({});
});
afterAll(async () => {
  transport.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Reads a body, pausing it now and then so that other sockets' reads land in between; sha256 of the bytes and the chunks seen. */
async function read(path: string): Promise<{ digest: string; chunks: Buffer[] }> {
  const response = await httpRequest(new URL(`${base}${path}`), { transport });
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    response.body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunks.length % 3 === 0) {
        // Keep this chunk past later reads of the other responses, then hash it: it must still hold its bytes.
        response.body.pause();
        setImmediate(() => response.body.resume());
      }
    });
    response.body.on('end', () => resolve());
    response.body.on('error', reject);
  });
  for (const chunk of chunks) hash.update(chunk);
  return { digest: hash.digest('hex'), chunks };
}

describe('one shared read buffer for every socket', () => {
  it('three bodies read side by side, with pauses, arrive byte-exact, and no chunk is a view of the shared buffer', async () => {
    shared.fill(0);
    const paths = ['/a', '/b', '/c'];
    const results = await Promise.all(paths.map(read));
    results.forEach(({ digest, chunks }, index) => {
      expect(digest).toBe(createHash('sha256').update(body(paths[index] ?? '', SIZE)).digest('hex'));
      for (const chunk of chunks) expect(chunk.buffer).not.toBe(shared.buffer);
    });
    // The sockets did read through the shared buffer (it no longer holds only the zeros it was given).
    expect(shared.some((byte) => byte !== 0)).toBe(true);
  });

  it('ownBytes copies a view of the shared buffer and passes any other Buffer through', () => {
    shared.write('reused by the next read', 0, 'latin1');
    const view = shared.subarray(0, 6);
    const owned = ownBytes(view);
    expect(owned.buffer).not.toBe(shared.buffer);
    expect(owned.toString('latin1')).toBe('reused');
    shared.write('XXXXXX', 0, 'latin1');
    expect(owned.toString('latin1')).toBe('reused');
    const fresh = Buffer.from('fresh');
    expect(ownBytes(fresh)).toBe(fresh);
  });
});
