/**
 * The middle layer towards the outputs: back-pressure (a slow output holds the next read, down to
 * the response body), one connection answered from memory (every outcome the retry policy reads),
 * and the sinks' interleaving of two streams on one screen (a pending `\r` line is cleared and
 * redrawn around the other stream's lines, never spliced). Scripted connections, fake timers, no
 * socket.
 */
import { PassThrough, Writable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLineSink } from '../../src/output/line-sink.js';
import { QUIET_SPELL_MS } from '../../src/output/line-buffer.js';
import { createSharedLine } from '../../src/output/shared-line.js';
import { createTerminalSink } from '../../src/output/terminal-sink.js';
import type { Output } from '../../src/io.js';
import { openConnection, type ConnectionOptions, type ConnectionOutcome } from '../../src/stream/connection.js';
import type { Chunk } from '../../src/stream/cursor.js';
import type { OutputSink, StreamName } from '../../src/stream/types.js';
import { DEFAULT_OUTPUTS, completedAfter, playScenario, startScenario, type Scenario } from '../helpers/scripted-follow.js';
import { screenOf } from '../helpers/terminal-screen.js';

const OUT = DEFAULT_OUTPUTS.stdout;

describe('back-pressure', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a slow output: the next read waits until it can take more, then every byte follows once', async () => {
    const written: string[] = [];
    let release = () => {};
    let full = true;
    const sink: OutputSink = {
      write: (_stream, bytes) => void written.push(bytes.toString()),
      // Full after the first write, until released.
      ready: () => (full && written.length > 0 ? new Promise<void>((resolve) => (release = resolve)) : undefined),
      end: () => undefined,
      close: () => undefined,
    };
    const started = startScenario({
      connections: { stdout: [{ steps: [{ data: 4 }, { data: 4 }, { data: 6 }], end: 'ended' }, { end: 'ended' }] },
      status: completedAfter(1),
      sink,
    });
    // Well within the idle time-out: the connection is held, not given up.
    await vi.advanceTimersByTimeAsync(5000);
    expect(written).toEqual(['one\n']);
    full = false;
    release();
    const played = await started.finish();
    expect(played.result.ok).toBe(true);
    expect(written.join('')).toBe(OUT);
    expect(played.offsets.stdout).toEqual([0, OUT.length]);
  });
});

/** A response from memory: status, headers and a body the test writes to. */
function answer(status: number, headers: IncomingHttpHeaders = { 'content-type': 'text/event-stream' }) {
  const body = new PassThrough();
  return { body, request: () => Promise.resolve({ status, headers, body }) };
}

/** Opens a connection against a response from memory; records chunks and keep-alives. */
function connect(request: ConnectionOptions['request'], extra: Partial<ConnectionOptions> = {}) {
  const chunks: string[] = [];
  let keepAlives = 0;
  const outcome = openConnection({
    url: new URL('http://127.0.0.1:9/v1/devboxes/dbx_1/executions/exn_1/stream_stdout_updates?offset=0'),
    apiKey: 'k_test_0000',
    signal: new AbortController().signal,
    onChunk: (chunk: Chunk) => chunks.push(`${chunk.bytes.toString()}@${chunk.offset}`),
    onActivity: () => undefined,
    onKeepAlive: () => keepAlives++,
    ready: () => undefined,
    request,
    ...extra,
  });
  return { outcome, chunks, keepAlives: () => keepAlives };
}

const event = (output: string, offset: number) => `data: ${JSON.stringify({ output, offset })}\n\n`;

describe('openConnection from memory', () => {
  it('a full output pauses the body: the next read waits for it', async () => {
    const { body, request } = answer(200);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { outcome, chunks } = connect(request, { ready: () => (chunks.length === 1 ? held : undefined) });
    body.write(event('one\n', 4));
    body.write(event('two\n', 8));
    await vi.waitFor(() => expect(chunks).toEqual(['one\n@4']));
    // The second event is in the body's buffer; the body stays paused while the output is full.
    expect(body.isPaused()).toBe(true);
    expect(chunks).toEqual(['one\n@4']);
    release();
    await vi.waitFor(() => expect(chunks).toEqual(['one\n@4', 'two\n@8']));
    body.end();
    expect(await outcome).toEqual({ kind: 'ended' });
  });

  it('keep-alive comments are reported as such, and are not chunks', async () => {
    const { body, request } = answer(200);
    const { outcome, chunks, keepAlives } = connect(request);
    body.write(': keep-alive\n\n');
    body.end(event('x', 1));
    expect(await outcome).toEqual({ kind: 'ended' });
    expect(chunks).toEqual(['x@1']);
    expect(keepAlives()).toBe(1);
  });

  const retryAt = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  it.each<[string, () => ReturnType<typeof answer>, (body: PassThrough) => void, ConnectionOutcome]>([
    ['503 with Retry-After in seconds', () => answer(503, { 'retry-after': '7' }), (b) => b.end('busy'), { kind: 'http', status: 503, body: 'busy', retryAfterMs: 7000 }],
    [
      '429 with Retry-After as a date, read against the injected clock',
      () => answer(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }),
      (b) => b.end(),
      { kind: 'http', status: 429, body: '', retryAfterMs: 30_000 },
    ],
    ['401 whose body quotes the key: redacted', () => answer(401), (b) => b.end('bad key k_test_0000'), { kind: 'http', status: 401, body: 'bad key [redacted]', retryAfterMs: undefined }],
    ['200 but not an event stream', () => answer(200, { 'content-type': 'text/html' }), (b) => b.end('<html>'), { kind: 'protocol', message: 'the stream answered with text/html, not text/event-stream' }],
    ['an error event with its status', () => answer(200), (b) => b.end('event: error\ndata: {"code":"408","message":"idle"}\n\n'), { kind: 'stream-error', status: 408, message: 'idle' }],
    ['offsets going backwards', () => answer(200), (b) => b.end(event('b', 8) + event('a', 4)), { kind: 'protocol', message: 'event offsets went backwards (4 after 8)' }],
    ['the body closing before its end', () => answer(200), (b) => b.destroy(), { kind: 'cut', message: 'the connection closed before the stream ended' }],
  ])('%s', async (_name, make, feed, expected) => {
    const { body, request } = make();
    const { outcome } = connect(request, { now: () => retryAt });
    feed(body);
    expect(await outcome).toEqual(expected);
  });

  it('no response at all: a network failure, described', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const { outcome } = connect(() => Promise.reject(refused));
    const result = await outcome;
    expect(result.kind).toBe('network');
  });

  it('aborted by the caller: aborted, and the body is let go', async () => {
    const { body, request } = answer(200);
    const controller = new AbortController();
    const { outcome, chunks } = connect(request, { signal: controller.signal });
    body.write(event('a', 1));
    await vi.waitFor(() => expect(chunks).toEqual(['a@1']));
    controller.abort();
    expect(await outcome).toEqual({ kind: 'aborted' });
    expect(body.destroyed).toBe(true);
  });
});

/** Two terminal outputs writing to one screen, as stdout and stderr on one terminal do. */
function screen(): { outputs: { stdout: Output; stderr: Output }; text: () => string } {
  const log: string[] = [];
  const output = (): Output => {
    const out: Output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        log.push(chunk.toString('utf8'));
        callback();
      },
    });
    out.isTTY = true;
    out.columns = 80;
    return out;
  };
  return { outputs: { stdout: output(), stderr: output() }, text: () => log.join('') };
}

/** stdout draws a progress line with CRs while stderr writes a line in between. */
const progress: Omit<Scenario, 'sink'> = {
  outputs: { stdout: 'progress 16%\rprogress 100%\n', stderr: 'warn at 7\n' },
  connections: {
    stdout: [{ steps: [{ data: 13 }, { wait: 1000 }, { data: 14 }], end: 'ended' }, { end: 'ended' }],
    stderr: [{ steps: [{ wait: 500 }, { data: 10 }], end: 'ended' }, { end: 'ended' }],
  },
  status: completedAfter(2),
};

/** stdout's line is cut by a reconnect that waits 5 s (Retry-After); stderr writes a line meanwhile. */
const reconnectMidLine: Omit<Scenario, 'sink'> = {
  outputs: { stdout: 'waiting... done\n', stderr: 'a warning\n' },
  connections: {
    stdout: [
      { steps: [{ data: 10 }], end: { kind: 'cut', message: 'aborted' } },
      { end: { kind: 'http', status: 503, body: '', retryAfterMs: 5000 } },
      { steps: [{ data: 6 }], end: 'ended' },
      { end: 'ended' },
    ],
    stderr: [{ steps: [{ wait: 1000 }, { data: 10 }], end: 'ended' }, { end: 'ended' }],
  },
  status: completedAfter(4),
};

const levels: Record<StreamName, 0> = { stdout: 0, stderr: 0 };

describe("the sinks' interleaving of two streams", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('terminal: a pending \\r progress line is cleared for the other stream and redrawn after it', async () => {
    const { outputs, text } = screen();
    const sink = createTerminalSink(outputs, { merge: false, raw: false, levels, beforeWrite: () => {}, screen: createSharedLine(() => 80) });
    const played = await playScenario({ ...progress, sink });
    expect(played.result.ok).toBe(true);
    // The progress line was on screen (after the quiet spell) when the warning came: cleared, not spliced.
    expect(text()).toContain('\r\x1b[Kwarn at 7\n');
    expect(screenOf(text())).toEqual(['warn at 7', 'progress 100%', '']);
  });

  it('terminal: a partial line cut by a reconnect is not shown early, and is never spliced', async () => {
    const { outputs, text } = screen();
    const sink = createTerminalSink(outputs, { merge: false, raw: false, levels, beforeWrite: () => {}, screen: createSharedLine(() => 80) });
    const played = await playScenario({ ...reconnectMidLine, sink });
    expect(played.sleeps).toEqual([125, 5000]);
    expect(screenOf(text())).toEqual(['a warning', 'waiting... done', '']);
  });

  it('--prefix: every row is one stream\'s line under its own prefix', async () => {
    const { outputs, text } = screen();
    const sink = createLineSink(outputs, { mode: 'decorated', prefix: true, timestamps: false, merge: false, raw: false, levels, now: () => new Date(0), beforeWrite: () => {} });
    await playScenario({ ...progress, sink });
    const rows = screenOf(text()).filter((row) => row !== '');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^(stdout|stderr) \| (progress \d+%|warn at 7)$/);
    expect(rows.filter((row) => row.startsWith('stderr'))).toEqual(['stderr | warn at 7']);
  });

  it('--json: a line cut by a reconnect is one record, written when its newline came', async () => {
    const { outputs, text } = screen();
    const sink = createLineSink(outputs, { mode: 'json', prefix: false, timestamps: false, merge: false, raw: false, levels, now: () => new Date(0), beforeWrite: () => {} });
    await playScenario({ ...reconnectMidLine, sink });
    const records = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream: string; text: string; offset: number; partial: boolean });
    expect(records.map(({ stream, text: t, offset, partial }) => ({ stream, text: t, offset, partial }))).toEqual([
      { stream: 'stderr', text: 'a warning\n', offset: 0, partial: false },
      { stream: 'stdout', text: 'waiting... done\n', offset: 0, partial: false },
    ]);
  });

  it('a partial line while connected is shown after the quiet spell, not before', async () => {
    const { outputs, text } = screen();
    const sink = createTerminalSink(outputs, { merge: false, raw: false, levels, beforeWrite: () => {}, screen: createSharedLine(() => 80) });
    const started = startScenario({
      outputs: { stdout: 'prompt> ' },
      connections: { stdout: [{ steps: [{ data: 8 }], end: 'hang' }] },
      status: completedAfter(99),
      sink,
    });
    await vi.advanceTimersByTimeAsync(QUIET_SPELL_MS - 1);
    expect(text()).toBe('');
    await vi.advanceTimersByTimeAsync(1);
    expect(text()).toBe('prompt> ');
    expect(started.offsets.stdout).toEqual([0]);
    vi.clearAllTimers();
  });
});
