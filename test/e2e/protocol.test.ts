/**
 * The service's stream protocol as the official SDK and the SSE spec read it, against the real
 * local server and small purpose-built servers for the shapes it does not take on its own:
 * error events, bytes that are not UTF-8 (U+FFFD), offset meaning on a resumed follow, huge
 * views, compressed bodies, exit statuses that are not exit statuses, CR line ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import type { RunningServer } from '../../src/emulator/server.js';
import { defaultFaults } from '../../src/emulator/faults.js';
import { baseEnv, collect, runCli, startCli, waitForOutput, type CliResult } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { listenOnLoopback } from '../helpers/loopback.js';
import { Gates } from '../helpers/wait.js';

const KEY = 'rk_protocol_test_key_0001';

const localServer = localServerForFile();
const gates = new Gates();
afterAll(() => gates.remove());

const local = () => localServer.env();

/** Runs a test with emulator faults set, restoring the defaults in `finally`. */
async function withFaults<T>(faults: Parameters<RunningServer['setFaults']>[0], run: () => Promise<T>): Promise<T> {
  localServer.server.setFaults(faults);
  try {
    return await run();
  } finally {
    localServer.server.setFaults(defaultFaults);
  }
}

/** A stand-in service: a view and two streams, shaped by the test. */
interface Shape {
  view?: (res: ServerResponse) => void;
  stream?: (stream: 'stdout' | 'stderr', offset: number, res: ServerResponse, req: IncomingMessage) => void;
}

async function withService<T>(shape: Shape, run: (url: string, requests: string[]) => Promise<T>): Promise<T> {
  const requests: string[] = [];
  const service = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers['accept-encoding'] ?? ''}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const stream = /\/stream_(stdout|stderr)_updates$/.exec(url.pathname)?.[1] as 'stdout' | 'stderr' | undefined;
    if (stream === undefined) {
      if (shape.view) return shape.view(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ devbox_id: 'dbx_x', execution_id: 'exn_x', status: 'completed', exit_status: 0 }));
    }
    const offset = Number(url.searchParams.get('offset') ?? '0');
    if (shape.stream) return shape.stream(stream, offset, res, req);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end();
  });
  const listening = await listenOnLoopback(service);
  try {
    return await run(listening.url, requests);
  } finally {
    await listening.close();
  }
}

const via = (url: string) => baseEnv({ RUNLOOP_API_KEY: KEY, RUNLOOP_BASE_URL: url });
const event = (output: string, offset: number) => `data: ${JSON.stringify({ output, offset })}\n\n`;
/** Our lines on stderr, the resume command aside (printed whenever a follow stops early). */
const lines = (buffer: Buffer) =>
  buffer
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('runloop-tail: resume with:'));

describe('bytes that are not UTF-8 arrive as U+FFFD; offsets count the original bytes', () => {
  // Latin-1 bytes (é as \351, ÿ as \377) among UTF-8 text, on both streams, in many lines.
  const command =
    "i=0; while [ $i -lt 300 ]; do printf 'caf\\351 %d naïve €\\n' $i; printf 'x\\377y %d\\n' $i >&2; i=$((i+1)); done; exit 3";

  const cases = [
    { name: 'end offsets, no faults', faults: {} },
    { name: 'end offsets, cuts and resends', faults: { seed: 7, chunkSize: [5, 40] as const, cutProbability: 0.05, resendProbability: 0.5, resendBytes: 12 } },
    { name: 'start offsets, cuts and resends', faults: { seed: 8, offsetMode: 'start' as const, chunkSize: [5, 40] as const, cutProbability: 0.05, resendProbability: 0.5, resendBytes: 12 } },
  ];
  it.each(cases)('$name: the output is what the service sends, the exit status right', async ({ faults }) => {
    await withFaults(faults, async () => {
      const view = await localServer.server.execute('dbx_local', command);
      await localServer.server.waitCompleted(view.execution_id);
      const result = await runCli(['dbx_local', view.execution_id, '--max-retries', '100'], { env: local() });
      const stdout = await localServer.server.readOutput(view.execution_id, 'stdout');
      const stderr = await localServer.server.readOutput(view.execution_id, 'stderr');
      // What the service sends: the text of the bytes, U+FFFD for each byte that is not UTF-8.
      const context = `stderr tail: ${result.stderr.toString('utf8').slice(-300)}`;
      expect(result.stdout.equals(Buffer.from(stdout.toString('utf8'))), context).toBe(true);
      expect(result.stderr.equals(Buffer.from(stderr.toString('utf8'))), context).toBe(true);
      expect(result.status, context).toBe(3);
    });
  });

  it('--verbose says so once per stream', async () => {
    const view = await localServer.server.execute('dbx_local', "printf 'caf\\351\\n'; printf 'na\\357ve\\n'");
    await localServer.server.waitCompleted(view.execution_id);
    const result = await runCli(['dbx_local', view.execution_id, '--verbose', '--stdout-only'], { env: local() });
    expect(result.stdout.toString('utf8')).toBe('caf\ufffd\nna\ufffdve\n');
    const notes = lines(result.stderr).filter((l) => l.includes('not UTF-8'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^runloop-tail: stdout: the command wrote bytes that are not UTF-8 \(before byte \d+\); the service sends them as U\+FFFD/);
    expect(lines(result.stderr)).toContain('runloop-tail: stdout: complete at byte 11');
    expect(result.status).toBe(0);
  });
});

describe('offset meaning on a resumed follow', () => {
  it('start offsets, fixed 100-byte chunks, a 1-byte resend, --stdout-offset 5000: exact, asked of the stream start, not guessed', async () => {
    await withFaults({ offsetMode: 'start', chunkSize: 100, resendProbability: 1, resendBytes: 1 }, async () => {
      const view = await localServer.server.execute('dbx_local', "i=0; while [ $i -lt 400 ]; do printf 'line %05d of the resumed follow\\n' $i; i=$((i+1)); done");
      await localServer.server.waitCompleted(view.execution_id);
      const result = await runCli(['dbx_local', view.execution_id, '--stdout-offset', '5000', '--stdout-only'], { env: local() });
      const all = await localServer.server.readOutput(view.execution_id, 'stdout');
      expect(result.stderr.toString('utf8')).toBe('');
      expect(result.stdout.equals(all.subarray(5000))).toBe(true);
      expect(result.status).toBe(0);
    });
  });
});

describe('error events inside a stream', () => {
  it('408 (the service idle time-out) mid-stream: resumes at once from the cursor, nothing lost or repeated', async () => {
    let result: CliResult;
    await withFaults({ idleTimeoutMs: 150 }, async () => {
      // The rest is written only once the follower has had its 408, whatever this machine's speed.
      const gate = gates.gate();
      try {
        const view = await localServer.server.execute('dbx_local', `printf 'first\\n'; ${gate.wait}; printf 'second\\n'; printf 'third\\n'`);
        const child = startCli(['dbx_local', view.execution_id, '--verbose'], { env: local() });
        const done = collect(child);
        await waitForOutput(child, 'stderr', (text) => /timed the stream out \(408\)/.test(text));
        gate.open();
        result = await done;
      } finally {
        gate.open();
      }
      expect(result.stdout.toString('utf8')).toBe('first\nsecond\nthird\n');
      expect(result.status).toBe(0);
      expect(result.stderr.toString('utf8')).toMatch(/timed the stream out \(408\)/);
      expect(result.stderr.toString('utf8')).not.toMatch(/gave up/);
    });
  });

  it('404 mid-stream: one line, exit 255, no retries', async () => {
    await withService(
      {
        stream: (stream, _offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          if (stream === 'stderr') return res.end();
          res.write(event('before\n', 7));
          res.end('event: error\ndata: {"code":"404","message":"execution not found"}\n\n');
        },
      },
      async (url, requests) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(result.stdout.toString('utf8')).toBe('before\n');
        expect(lines(result.stderr)).toHaveLength(1);
        expect(result.stderr.toString('utf8')).toMatch(/not found \(404\): execution not found/);
        expect(result.status).toBe(255);
        expect(requests.filter((r) => r.includes('stream_stdout')).length).toBe(1);
      },
    );
  });

  it('an error event whose data is not JSON: a protocol error, one line, 255', async () => {
    await withService(
      {
        stream: (_stream, _offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('event: error\ndata: idle timeout\n\n');
        },
      },
      async (url) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(lines(result.stderr)).toHaveLength(1);
        expect(result.stderr.toString('utf8')).toMatch(/error event is not JSON/);
        expect(result.status).toBe(255);
      },
    );
  });

  it('other event names are chunks; CR line ends; a last event ended by CR CR is kept', async () => {
    await withService(
      {
        stream: (stream, offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          if (stream === 'stderr' || offset > 0) return res.end();
          res.end(`\ufeff: hello\revent: update\rdata: {"output":"one\\n","offset":4}\r\rid: 9\rdata: {"output":"two\\n",\rdata: "offset":8}\r\r`);
        },
      },
      async (url) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(result.stdout.toString('utf8')).toBe('one\ntwo\n');
        expect(result.status).toBe(0);
      },
    );
  });
});

describe('execution views', () => {
  it('a 20 MB view is read with bounded memory: status and exit_status are found after the output', async () => {
    const big = 'x'.repeat(1023) + '\n';
    await withService(
      {
        view: (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"devbox_id":"dbx_x","execution_id":"exn_x","stdout":"');
          const piece = JSON.stringify(big.repeat(1024)).slice(1, -1); // 1 MiB of text per write
          for (let i = 0; i < 20; i++) res.write(piece);
          res.end('","stdout_truncated":false,"stderr":"","nested":{"status":"no","a":[1,{"exit_status":9}]},"status":"completed","exit_status":7}');
        },
        stream: (stream, offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(stream === 'stdout' && offset === 0 ? event('done\n', 5) : '');
        },
      },
      async (url, requests) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(result.stderr.toString('utf8')).toBe('');
        expect(result.stdout.toString('utf8')).toBe('done\n');
        expect(result.status).toBe(7);
        expect(requests.some((r) => r.startsWith('GET /v1/devboxes/dbx_x/executions/exn_x?last_n=1 '))).toBe(true);
      },
    );
  });

  it.each([
    [3.5, /exit_status 3\.5, not an exit status/],
    [300, /exit_status 300, not an exit status/],
    [256, /exit_status 256, not an exit status/],
    [-1, /exit_status -1, not an exit status/],
    ['"0"', /exit_status "0", not an exit status/],
    [null, /completed without an exit status/],
  ])('exit_status %s: one line naming it, exit 255', async (exit, says) => {
    await withService(
      {
        view: (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"devbox_id":"dbx_x","execution_id":"exn_x","status":"completed","exit_status":${exit === null ? 'null' : String(exit)}}`);
        },
      },
      async (url) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(lines(result.stderr)).toHaveLength(1);
        expect(result.stderr.toString('utf8')).toMatch(says);
        expect(result.stderr.toString('utf8')).not.toMatch(/\n\s+at /);
        expect(result.status).toBe(255);
      },
    );
  });
});

describe('compressed bodies although identity was asked for', () => {
  const body = Buffer.from(event('hello ', 6) + event('compressed\n', 17));
  it.each([
    ['gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['br', brotliCompressSync(body)],
  ])('%s: decoded', async (encoding, compressed) => {
    await withService(
      {
        view: (res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(gzipSync(JSON.stringify({ devbox_id: 'dbx_x', execution_id: 'exn_x', status: 'completed', exit_status: 4 })));
        },
        stream: (stream, offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': encoding });
          res.end(stream === 'stdout' && offset === 0 ? compressed : (encoding === 'gzip' ? gzipSync('') : encoding === 'br' ? brotliCompressSync('') : deflateSync('')));
        },
      },
      async (url, requests) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(result.stdout.toString('utf8')).toBe('hello compressed\n');
        expect(result.status).toBe(4);
        expect(requests.every((r) => r.endsWith(' identity'))).toBe(true);
      },
    );
  });

  it('an encoding it cannot read: one line, 255, never an empty stream', async () => {
    await withService(
      {
        stream: (_stream, _offset, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'compress' });
          res.end('\x1f\x9d junk');
        },
      },
      async (url) => {
        const result = await runCli(['dbx_x', 'exn_x'], { env: via(url) });
        expect(lines(result.stderr)).toHaveLength(1);
        expect(result.stderr.toString('utf8')).toMatch(/compressed with "compress"/);
        expect(result.status).toBe(255);
      },
    );
  });
});
