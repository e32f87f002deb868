/**
 * A 100 MB output streams whole while the server's memory stays flat: output lives on disk and is
 * read in pieces, with back-pressure. The server runs in this process, so the process's RSS is the
 * server's plus this reader's.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { readSse } from '../helpers/sse.js';
import { streamUrl, within } from '../helpers/emulator-api.js';

const size = 100 * 1024 * 1024;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(() => server?.close());

it('streams 100 MB while it is written, with flat memory', async () => {
  const view = await server.execute('dbx_local', `yes 'abcdefghijklmnopqrstuvwxyz0123456789 é€😀' | head -c ${size}`);
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const hash = createHash('sha256');
  let received = 0;
  let next = 0;
  let problem: string | undefined;
  const started = Date.now();
  try {
    const result = await readSse(streamUrl(server, view.execution_id, 'stdout', 0), {
      apiKey: server.apiKey,
      timeoutMs: 30_000,
      keepRaw: false,
      keepChunks: false,
      onChunk: (chunk) => {
        const bytes = Buffer.from(chunk.output, 'utf8');
        if (chunk.offset - bytes.length !== next) problem ??= `chunk at ${chunk.offset} does not follow ${next}`;
        next = chunk.offset;
        received += bytes.length;
        hash.update(bytes);
      },
    });
    expect(result.ending).toBe('clean');
  } finally {
    clearInterval(sampler);
  }
  const seconds = (Date.now() - started) / 1000;
  const growth = (peak - baseline) / 1024 / 1024;
  console.log(`100 MB in ${seconds.toFixed(1)} s, RSS growth ${growth.toFixed(0)} MB`);
  expect(problem).toBeUndefined();
  expect(received).toBe(size);
  expect(growth).toBeLessThan(150);
  await within(server.waitCompleted(view.execution_id), 10_000, 'completion');
  const output = await server.readOutput(view.execution_id, 'stdout');
  expect(output.length).toBe(size);
  expect(hash.digest('hex')).toBe(createHash('sha256').update(output).digest('hex'));
});
