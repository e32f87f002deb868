/**
 * Memory bounded by design, and signals heard in every state: an SSE line that never ends stops at
 * the decoder's cap (one line, 255) with the CLI's own peak RSS far below what the line would take;
 * SIGTERM in the middle of a huge unfinished line ends the follow at once with 143.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MAX_SSE_EVENT_BYTES } from '../../src/stream/sse-decoder.js';
import { openStream, view, withHostileApi, type HostileHandler } from '../helpers/hostile-api.js';
import { cliPath, collect, waitForOutput } from '../helpers/run-cli.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const preload = new URL('../helpers/peak-rss.mjs', import.meta.url).href;
const piece = Buffer.alloc(64 * 1024, 'x');
/** Where the child writes its peak RSS. */
const temp = tempDirForFile('rt-rss-');

/** A stream whose stdout is one `data:` line of `limit` bytes (endless without one), written as fast as it is read. */
function endlessLine(limit: number, sent: { bytes: number } = { bytes: 0 }): HostileHandler {
  return (route, req, res) => {
    if (route.action === '') return view(res, route, 'running', null);
    openStream(res);
    if (route.action !== 'stream_stdout_updates') return;
    res.write('data: {"output": "');
    let stopped = false;
    req.socket.on('close', () => (stopped = true));
    const pump = () => {
      while (!stopped && sent.bytes < limit) {
        sent.bytes += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
    };
    pump();
  };
}

describe('an SSE line that never ends', () => {
  it('is a protocol error at the cap, with the CLI peak RSS bounded', async () => {
    await withHostileApi(endlessLine(Number.POSITIVE_INFINITY), async (_api, env) => {
      const rssFile = join(temp, 'peak');
      const child = spawn(process.execPath, ['--import', preload, cliPath, 'dbx_1', 'exn_1', '--max-retries', '0'], {
        env: { ...env, PEAK_RSS_FILE: rssFile },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const result = await collect(child, { timeoutMs: PATIENCE_MS });
      expect(result.status).toBe(255);
      expect(result.stderr.toString()).toMatch(/^runloop-tail: stdout: .*\n/);
      const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      // The cap is 64 MiB of line; a Node process is ~40-70 MiB by itself. Unbounded, this grew to GBs.
      expect(peakMiB).toBeLessThan(MAX_SSE_EVENT_BYTES / (1024 * 1024) + 300);
    });
  });

  it('SIGTERM while a huge line is pending ends the follow with 143 and the resume line', async () => {
    const sent = { bytes: 0 };
    await withHostileApi(endlessLine(32 * 1024 * 1024, sent), async (_api, env) => {
      const child = spawn(process.execPath, [cliPath, 'dbx_1', 'exn_1', '--stdout-only', '--verbose'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const done = collect(child, { timeoutMs: PATIENCE_MS });
      await waitForOutput(child, 'stderr', (text) => text.includes('base url:'));
      // Wait (on a condition, not a clock) until the server has written the whole 32 MiB.
      await vi.waitFor(() => expect(sent.bytes).toBeGreaterThanOrEqual(32 * 1024 * 1024), { timeout: PATIENCE_MS, interval: 20 });
      child.kill('SIGTERM');
      const result = await done;
      expect(result.status).toBe(143);
      expect(result.stderr.toString()).toContain('stopped by SIGTERM; resume with: runloop-tail dbx_1 exn_1 --stdout-offset 0');
    });
  });
});
