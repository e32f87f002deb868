/**
 * The emulator's request log (what `serve` prints): a stream request's line carries how the stream
 * finished, even when that is decided after the response closed (a cut).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultFaults } from '../../src/emulator/faults.js';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { readSse } from '../helpers/sse.js';
import { streamUrl, within } from '../helpers/emulator-api.js';
import { PATIENCE_MS } from '../helpers/wait.js';

let server: RunningServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, log: (line) => lines.push(line) });
});
afterAll(() => server?.close());

async function logLineFor(path: RegExp): Promise<string> {
  await within(
    (async () => {
      while (!lines.some((line) => path.test(line))) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    PATIENCE_MS,
    `a log line for ${path}`,
  );
  return lines.find((line) => path.test(line)) ?? '';
}

it('notes a clean end and a cut with the bytes written', async () => {
  const view = await server.execute('dbx_local', `printf 'hello world\\n'; printf 'oops\\n' >&2`);
  await within(server.waitCompleted(view.execution_id), PATIENCE_MS, 'completion');
  await readSse(streamUrl(server, view.execution_id, 'stdout', 0), { apiKey: server.apiKey });
  expect(await logLineFor(/stream_stdout_updates\?offset=0 200/)).toMatch(/ \(ended after \d+ bytes\)$/);

  server.setFaults({ cutProbability: 1 });
  try {
    const result = await readSse(streamUrl(server, view.execution_id, 'stderr', 0), { apiKey: server.apiKey });
    expect(result.ending).toBe('cut');
  } finally {
    server.setFaults(defaultFaults);
  }
  expect(await logLineFor(/stream_stderr_updates\?offset=0 200/)).toMatch(/ \(cut after \d+ bytes\)$/);
});
