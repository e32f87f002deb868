/**
 * The emulator's stream routes: byte offsets over multi-byte text, both offset modes, chunking that
 * never splits a character, following a running execution, stderr, keep-alives.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultFaults } from '../../src/emulator/faults.js';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { checkOffsets, readSse } from '../helpers/sse.js';
import { call, streamUrl, within } from '../helpers/emulator-api.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

// é (2 bytes) € (3) 😀 (4): 9 bytes, offsets 0, 2, 5, 9.
const mixed = 'é€😀';

let server: RunningServer;
const scratch = tempDirForFile('emulator-stream-');

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
// Every test starts from the server's own faults, whichever ran before (or alone, with -t).
afterEach(() => server.setFaults(defaultFaults));
afterAll(async () => {
  await server?.close();
});

async function completed(command: string): Promise<string> {
  const view = await server.execute('dbx_local', command);
  await within(server.waitCompleted(view.execution_id), PATIENCE_MS, command);
  return view.execution_id;
}

describe('stream_stdout_updates', () => {
  it('sends every byte from offset 0 with end offsets and ends cleanly', async () => {
    const id = await completed(`printf '${mixed}line\\n'; printf 'two\\n'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(result.ending).toBe('clean');
    const { bytes, problem } = checkOffsets(result.chunks, 'end', 0);
    expect(problem).toBeUndefined();
    expect(bytes).toEqual(await server.readOutput(id, 'stdout'));
    expect(bytes.toString()).toBe(`${mixed}line\ntwo\n`);
    expect(result.chunks.at(-1)?.offset).toBe(bytes.length);
  });

  it('treats a missing offset as 0', async () => {
    const id = await completed(`printf 'abc'`);
    const result = await readSse(streamUrl(server, id, 'stdout'), { apiKey: server.apiKey });
    expect(result.chunks).toEqual([{ output: 'abc', offset: 3 }]);
  });

  it.each([
    { mode: 'end' as const, offset: 2, expected: [{ output: '€😀', offset: 9 }] },
    { mode: 'start' as const, offset: 2, expected: [{ output: '€😀', offset: 2 }] },
    { mode: 'end' as const, offset: 5, expected: [{ output: '😀', offset: 9 }] },
    { mode: 'start' as const, offset: 5, expected: [{ output: '😀', offset: 5 }] },
    // Inside a character: the stream starts at that character's first byte (offsets stay truthful).
    { mode: 'end' as const, offset: 1, expected: [{ output: mixed, offset: 9 }] },
    { mode: 'start' as const, offset: 3, expected: [{ output: '€😀', offset: 2 }] },
    { mode: 'start' as const, offset: 4, expected: [{ output: '€😀', offset: 2 }] },
    { mode: 'end' as const, offset: 8, expected: [{ output: '😀', offset: 9 }] },
    { mode: 'end' as const, offset: 9, expected: [] },
  ])('offset $offset in $mode mode counts bytes', async ({ mode, offset, expected }) => {
    server.setFaults({ offsetMode: mode });
    const id = await completed(`printf '${mixed}'`);
    const result = await readSse(streamUrl(server, id, 'stdout', offset), { apiKey: server.apiKey });
    expect(result.ending).toBe('clean');
    expect(result.chunks).toEqual(expected);
  });

  it.each([
    { mode: 'end' as const, chunkSize: 1 },
    { mode: 'start' as const, chunkSize: 1 },
    { mode: 'end' as const, chunkSize: [2, 5] as const },
    { mode: 'start' as const, chunkSize: [1, 7] as const },
  ])('chunkSize $chunkSize ($mode) never splits a character', async ({ mode, chunkSize }) => {
    server.setFaults({ offsetMode: mode, chunkSize });
    const text = `a${mixed}b${mixed}${mixed}c\n`;
    const id = await completed(`printf '${text}'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    const { bytes, starts, problem } = checkOffsets(result.chunks, mode, 0);
    expect(problem).toBeUndefined();
    expect(starts[0]).toBe(0);
    expect(bytes.toString()).toBe(text);
    expect(result.chunks.every((chunk) => !chunk.output.includes('\uFFFD'))).toBe(true);
    const max = typeof chunkSize === 'number' ? chunkSize : chunkSize[1];
    // A character longer than the chunk size travels whole, alone.
    for (const chunk of result.chunks) {
      const length = Buffer.byteLength(chunk.output);
      expect(length <= max || [...chunk.output].length === 1).toBe(true);
    }
    expect(result.chunks.length).toBeGreaterThan(3);
  });

  it('follows a running execution, waits beyond what is written, and ends when it completes', async () => {
    const go = join(scratch, 'go-follow');
    const view = await server.execute('dbx_local', `printf 'first\\n'; while [ ! -f '${go}' ]; do sleep 0.02; done; printf 'second€\\n'`);
    // A second connection asks for an offset not written yet: it waits for it.
    const ahead = readSse(streamUrl(server, view.execution_id, 'stdout', 8), { apiKey: server.apiKey });
    const seen: string[] = [];
    const result = await readSse(streamUrl(server, view.execution_id, 'stdout', 0), {
      apiKey: server.apiKey,
      onChunk: (chunk) => {
        seen.push(chunk.output);
        if (chunk.output === 'first\n') void writeFile(go, '');
      },
    });
    expect(result.ending).toBe('clean');
    expect(seen.join('')).toBe('first\nsecond€\n');
    const later = await ahead;
    expect(later.ending).toBe('clean');
    expect(checkOffsets(later.chunks, 'end', 8).bytes.toString()).toBe('cond€\n');
    expect((await server.waitCompleted(view.execution_id)).status).toBe('completed');
  });

  it('sends keep-alive comments while there is nothing to send', async () => {
    server.setFaults({ keepAliveMs: 30 });
    const go = join(scratch, 'go-keep-alive');
    const view = await server.execute('dbx_local', `while [ ! -f '${go}' ]; do sleep 0.02; done; printf 'done'`);
    const result = await readSse(streamUrl(server, view.execution_id, 'stdout', 0), {
      apiKey: server.apiKey,
      onComment: () => void writeFile(go, ''),
    });
    expect(result.comments[0]).toBe('keep-alive');
    expect(result.chunks).toEqual([{ output: 'done', offset: 4 }]);
    expect(result.ending).toBe('clean');
  });

  it('passes bytes that are not UTF-8 as U+FFFD while offsets count file bytes', async () => {
    const id = await completed(`printf '\\377\\376ok'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey });
    expect(result.chunks).toEqual([{ output: '\uFFFD\uFFFDok', offset: 4 }]);
  });

  it('stops reading when the client goes away', async () => {
    const id = await completed(`printf 'abc'`);
    const result = await readSse(streamUrl(server, id, 'stdout', 0), { apiKey: server.apiKey, onChunk: () => true });
    expect(result.ending).toBe('stopped');
  });
});

describe('stream_stderr_updates', () => {
  it('streams stderr apart from stdout, from a byte offset', async () => {
    const id = await completed(`printf 'out'; printf 'err€!' >&2`);
    const all = await readSse(streamUrl(server, id, 'stderr', 0), { apiKey: server.apiKey });
    expect(all.chunks).toEqual([{ output: 'err€!', offset: 7 }]);
    const tail = await readSse(streamUrl(server, id, 'stderr', 4), { apiKey: server.apiKey });
    expect(tail.chunks).toEqual([{ output: '€!', offset: 7 }]);
    expect((await server.readOutput(id, 'stderr')).toString()).toBe('err€!');
  });

  it('answers 400 for an offset beyond the end of a completed stream', async () => {
    const id = await completed(`printf 'err' >&2`);
    const answer = await call(server, 'GET', `/v1/devboxes/dbx_local/executions/${id}/stream_stderr_updates?offset=4`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, error: 'bad_request' });
    expect(String(answer.body.message)).toContain('beyond the end');
  });
});
