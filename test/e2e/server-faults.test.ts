/**
 * The emulator's faults, each on purpose and replayable: resends, gaps, cuts mid-event, error
 * answers with Retry-After, stalls, idle time-outs, a change of faults on a running server.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type FaultOptions, type RunningServer } from '../../src/emulator/server.js';
import { checkOffsets, readSse, type Chunk } from '../helpers/sse.js';
import { call, streamUrl, within } from '../helpers/emulator-api.js';
import { defaultFaults } from '../../src/emulator/faults.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

// Every fault back to the server's defaults after each test.
const clean: FaultOptions = defaultFaults;

let server: RunningServer;
const scratch = tempDirForFile('emulator-faults-');

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterEach(() => server.setFaults(clean));
afterAll(async () => {
  await server?.close();
});

async function completed(target: RunningServer, command: string): Promise<string> {
  const view = await target.execute('dbx_local', command);
  await within(target.waitCompleted(view.execution_id), PATIENCE_MS, command);
  return view.execution_id;
}

/** Reads a stream to its end the way a resuming client would: reconnect from the last offset, trim resends. */
async function readResuming(target: RunningServer, id: string, mode: 'end' | 'start'): Promise<{ bytes: Buffer; connections: number }> {
  const parts: Buffer[] = [];
  let next = 0;
  for (let connection = 1; connection <= 500; connection++) {
    const result = await readSse(streamUrl(target, id, 'stdout', next), { apiKey: target.apiKey });
    if (result.status !== 200) continue;
    for (const chunk of result.chunks) {
      const bytes = Buffer.from(chunk.output, 'utf8');
      const start = mode === 'end' ? chunk.offset - bytes.length : chunk.offset;
      expect(start).toBeLessThanOrEqual(next); // no gap fault here
      if (start + bytes.length > next) parts.push(bytes.subarray(next - start));
      next = Math.max(next, start + bytes.length);
    }
    if (result.ending === 'clean') return { bytes: Buffer.concat(parts), connections: connection };
  }
  throw new Error('too many connections');
}

describe('resend', () => {
  it.each(['end', 'start'] as const)('starts before the requested offset with truthful offsets (%s mode)', async (mode) => {
    server.setFaults({ offsetMode: mode, resendProbability: 1, resendBytes: 4 });
    const id = await completed(server, `printf 'abcdefghij'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 6), { apiKey: server.apiKey });
    const { bytes, starts, problem } = checkOffsets(result.chunks, mode, 0);
    expect(problem).toBeUndefined();
    const first = starts[0] ?? -1;
    expect(first).toBeGreaterThanOrEqual(2);
    expect(first).toBeLessThan(6);
    expect(bytes.toString()).toBe('abcdefghij'.slice(first));
  });

  it('never resends on a request from offset 0, and resends whole characters', async () => {
    server.setFaults({ resendProbability: 1, resendBytes: 5 });
    const id = await completed(server, `printf '€€€€'`);
    const fromZero = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(fromZero.chunks).toEqual([{ output: '€€€€', offset: 12 }]);
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await readSse(streamUrl(server, id, 'stdout', 9), { apiKey: server.apiKey });
      const { starts, bytes } = checkOffsets(result.chunks, 'end', 0);
      expect((starts[0] ?? -1) % 3).toBe(0);
      expect(starts[0]).toBeLessThan(9);
      expect(bytes.toString()).not.toContain('\uFFFD');
    }
  });
});

describe('gap', () => {
  it.each(['end', 'start'] as const)('skips bytes after the requested offset (%s mode)', async (mode) => {
    server.setFaults({ offsetMode: mode, gapProbability: 1, gapBytes: 5 });
    const id = await completed(server, `printf 'abcdefghijklmnop'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 2), { apiKey: server.apiKey });
    const { bytes, starts, problem } = checkOffsets(result.chunks, mode, 0);
    expect(problem).toBeUndefined();
    const first = starts[0] ?? -1;
    expect(first).toBeGreaterThan(2);
    expect(first).toBeLessThanOrEqual(7);
    expect(bytes.toString()).toBe('abcdefghijklmnop'.slice(first));
  });
});

describe('cuts', () => {
  it('cuts the connection in the middle of an event (cutProbability)', async () => {
    server.setFaults({ cutProbability: 1 });
    const id = await completed(server, `printf 'hello world'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.status).toBe(200);
    expect(result.ending).toBe('cut');
    expect(result.chunks).toEqual([]);
    const raw = result.raw.toString();
    expect(raw.length).toBeGreaterThan(0);
    expect('data: {"output":"hello world","offset":11}\n\n'.startsWith(raw)).toBe(true);
    expect(raw.endsWith('\n\n')).toBe(false);
    expect(result.trailing).toBe(raw);
  });

  it('cuts each connection after about cutAfterBytes, inside an event', async () => {
    server.setFaults({ chunkSize: 10, cutAfterBytes: 200 });
    const id = await completed(server, `seq 1000 1300 | tr -d '\\n'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.ending).toBe('cut');
    expect(result.bodyBytes).toBeLessThanOrEqual(200);
    expect(result.chunks.length).toBeGreaterThan(2);
    expect(result.trailing.startsWith('data: {')).toBe(true);
    expect(checkOffsets(result.chunks, 'end', 0).problem).toBeUndefined();
  });

  it.each(['end', 'start'] as const)('lets a resuming client rebuild the exact bytes through cuts, resends and chunk sizes (%s)', async (mode) => {
    server.setFaults({ offsetMode: mode, chunkSize: [1, 300], cutProbability: 0.2, resendProbability: 0.5, resendBytes: 50, seed: 99 });
    const id = await completed(server, `i=0; while [ $i -lt 200 ]; do printf 'line %d é€😀\\n' $i; i=$((i+1)); done`);
    const before = server.connections();
    const { bytes, connections } = await readResuming(server, id, mode);
    expect(bytes).toEqual(await server.readOutput(id, 'stdout'));
    expect(connections).toBeGreaterThan(3);
    expect(server.connections() - before).toBe(connections);
  });
});

describe('error answers', () => {
  it.each([
    { status: 429, retryAfter: 1, header: '1' },
    { status: 503, retryAfter: 0, header: '0' },
    { status: 408, retryAfter: 1, header: null },
    { status: 500, retryAfter: 1, header: null },
  ])('answers $status (Retry-After: $header) with a JSON body', async ({ status, retryAfter, header }) => {
    server.setFaults({ errorProbability: 1, errorStatuses: [status], retryAfterSeconds: retryAfter });
    const id = await completed(server, `printf abc`);
    const answer = await call(server, 'GET', `/v1/devboxes/dbx_local/executions/${id}/stream_stdout_updates?offset=0`);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('retry-after')).toBe(header);
    expect(answer.body).toMatchObject({ status });
    expect(String(answer.body.message)).toContain('injected fault');
  });

  it('replays the same answers for the same seed, whatever the order of streams', async () => {
    const faults: FaultOptions = { seed: 42, errorProbability: 0.5, errorStatuses: [429, 503, 500] };
    const runs: string[] = [];
    for (const order of [['stdout', 'stderr'], ['stderr', 'stdout']] as const) {
      const target = await startServer({ ...faults });
      try {
        const id = await completed(target, `printf out; printf err >&2`);
        const seen: Record<string, number[]> = { stdout: [], stderr: [] };
        for (let round = 0; round < 8; round++) {
          for (const stream of order) {
            const result = await readSse(streamUrl(target, id, stream, 0), { apiKey: target.apiKey });
            seen[stream]?.push(result.status);
          }
        }
        runs.push(JSON.stringify(seen));
      } finally {
        await target.close();
      }
    }
    expect(runs[0]).toBe(runs[1]);
    expect(runs[0]).toMatch(/200/);
    expect(runs[0]).toMatch(/429|503|500/);
  });
});

describe('stalls, idle time-outs and live changes', () => {
  it('stalls before events', async () => {
    server.setFaults({ chunkSize: 3, stallProbability: 1, stallMs: 60 });
    const id = await completed(server, `printf abcdef`);
    const started = Date.now();
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.chunks.map((chunk) => chunk.output)).toEqual(['abc', 'def']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('ends a quiet stream after idleTimeoutMs with an error event 408, as the service does, while the execution runs', async () => {
    const view = await server.execute('dbx_local', `printf first; sleep 600`);
    // Once "first" is there, so that the quiet spell the time-out sees is the sleep.
    await readSse(streamUrl(server, view.execution_id, 'stdout', 0), { apiKey: server.apiKey, onChunk: () => true });
    server.setFaults({ idleTimeoutMs: 100 });
    const result = await readSse(streamUrl(server, view.execution_id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.ending).toBe('clean');
    expect(result.chunks).toEqual([{ output: 'first', offset: 5 }]);
    expect(result.errors).toEqual([{ code: '408', message: 'no output for 100 ms; resume from offset 5' }]);
    expect(result.raw.toString()).toMatch(/event: error\ndata: \{"code":"408","message":"[^"]*"\}\n\n$/);
    const status = await call(server, 'GET', `/v1/devboxes/dbx_local/executions/${view.execution_id}`);
    expect(status.body.status).toBe('running');
    await call(server, 'POST', `/v1/devboxes/dbx_local/executions/${view.execution_id}/kill`);
  });

  it('applies faults changed on a running server to open connections', async () => {
    const go = join(scratch, 'go-live');
    const view = await server.execute('dbx_local', `printf 'first\\n'; while [ ! -f '${go}' ]; do sleep 0.02; done; printf 'second\\n'`);
    const seen: Chunk[] = [];
    const result = await readSse(streamUrl(server, view.execution_id, 'stdout', 0), {
      apiKey: server.apiKey,
      onChunk: (chunk) => {
        seen.push(chunk);
        server.setFaults({ cutProbability: 1 });
        void writeFile(go, '');
      },
    });
    expect(seen).toEqual([{ output: 'first\n', offset: 6 }]);
    expect(result.ending).toBe('cut');
    expect(result.trailing.startsWith('data: {')).toBe(true);
  });
});
