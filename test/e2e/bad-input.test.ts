/**
 * The bad-input matrix: every wrong command line, unreachable or misbehaving service gets one clear
 * line on stderr, the documented exit status, no stack trace, and nothing on stdout that the remote
 * did not write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { localServerForFile } from '../helpers/local-server.js';
import { holdRefusedPort, type RefusedPort } from '../helpers/refused-port.js';

const KEY = 'rk_test_bad_input_key_1234567890';
const emulator = localServerForFile({ start: { apiKey: KEY } });
let fake: FakeApi;
let completedId: string;
let refused: RefusedPort;
let configHome: string;

beforeAll(async () => {
  fake = await startFakeApi(KEY);
  const view = await emulator.server.execute('dbx_local', 'printf hello');
  await emulator.server.waitCompleted(view.execution_id);
  completedId = view.execution_id;
  // A port that refuses connections and that nothing else can take meanwhile.
  refused = await holdRefusedPort();
  configHome = mkdtempSync(join(tmpdir(), 'rt-bad-config-'));
  mkdirSync(join(configHome, 'runloop-tail'), { recursive: true });
  writeFileSync(join(configHome, 'runloop-tail', 'config.json'), '{"api-key": "rk_', { mode: 0o600 });
});
afterAll(async () => {
  await fake?.close();
  await refused?.close();
  rmSync(configHome, { recursive: true, force: true });
});

interface Case {
  name: string;
  args: () => string[];
  env?: () => Record<string, string>;
  status: number;
  /** Words the one line must contain. */
  says: RegExp;
  /** What stdout must be (the remote's bytes); default nothing. */
  stdout?: string;
}

const local = () => ({ RUNLOOP_API_KEY: KEY, RUNLOOP_BASE_URL: emulator.server.url });
const viaFake = () => ({ RUNLOOP_API_KEY: KEY, RUNLOOP_BASE_URL: fake.url });
const long = 'x'.repeat(300);

const cases: Case[] = [
  // No arguments at all prints the help (test/unit/cli-help.test.ts).
  { name: 'misspelt command', args: () => ['exce', 'dbx_local', '--', 'ls'], env: local, status: 2, says: /^runloop-tail: unknown command 'exce' — did you mean 'exec'\?$/ },
  { name: 'help for an unknown command', args: () => ['help', 'nope'], status: 2, says: /^runloop-tail: unknown command 'nope'/ },
  { name: 'one argument', args: () => ['dbx_local'], status: 2, says: /an execution id is missing: give <devbox-id> <execution-id>, or one or more <devbox-id>\/<execution-id>/ },
  { name: 'three arguments', args: () => ['dbx_local', 'exn_1', 'extra'], status: 2, says: /3 words without a '\/'/ },
  { name: 'the two forms mixed', args: () => ['dbx_local/exn_1', 'exn_2'], status: 2, says: /the two forms cannot be mixed/ },
  { name: 'the same execution twice', args: () => ['dbx_local/exn_1', 'dbx_local/exn_1'], status: 2, says: /dbx_local\/exn_1 is given twice/ },
  { name: 'empty devbox id', args: () => ['', 'exn_1'], status: 2, says: /devbox id is empty/ },
  { name: 'ids with a path in them', args: () => ['dbx/../x'], status: 2, says: /execution id .* not a valid id/ },
  { name: 'execution id ..', args: () => ['dbx_local', '..'], status: 2, says: /execution id .* not a valid id/ },
  { name: 'id with a space', args: () => ['dbx local', 'exn_1'], status: 2, says: /not a valid id/ },
  { name: 'very long id', args: () => ['dbx_local', long], status: 2, says: /300 characters long/ },
  { name: 'negative offset', args: () => ['dbx_local', 'exn_1', '--stdout-offset', '-1'], status: 2, says: /--stdout-offset must be a byte offset/ },
  { name: 'non-numeric offset', args: () => ['dbx_local', 'exn_1', '--stderr-offset', 'abc'], status: 2, says: /--stderr-offset must be a byte offset/ },
  { name: 'fractional offset', args: () => ['dbx_local', 'exn_1', '--stdout-offset', '1.5'], status: 2, says: /--stdout-offset/ },
  { name: 'offset beyond the end', args: () => ['dbx_local', completedId, '--stdout-offset', '999999'], env: local, status: 255, says: /400/ },
  { name: 'bad --timeout', args: () => ['dbx_local', 'exn_1', '--timeout', '5x'], status: 2, says: /--timeout must be a duration/ },
  { name: 'zero --timeout', args: () => ['dbx_local', 'exn_1', '--timeout', '0'], status: 2, says: /--timeout must be more than zero/ },
  { name: 'bad --idle-timeout', args: () => ['dbx_local', 'exn_1', '--idle-timeout', 'soon'], status: 2, says: /--idle-timeout/ },
  { name: 'bad --max-retries', args: () => ['dbx_local', 'exn_1', '--max-retries', 'many'], status: 2, says: /--max-retries must be a whole number/ },
  { name: 'bad --color', args: () => ['dbx_local', 'exn_1', '--color', 'sometimes'], status: 2, says: /--color must be one of auto, always, never/ },
  { name: 'both --stdout-only and --stderr-only', args: () => ['dbx_local', 'exn_1', '--stdout-only', '--stderr-only'], status: 2, says: /cannot be used with/ },
  { name: 'unknown option', args: () => ['dbx_local', 'exn_1', '--follow-harder'], status: 2, says: /unknown option '--follow-harder'/ },
  { name: 'malformed base URL', args: () => ['dbx_local', 'exn_1', '--api-key', KEY, '--base-url', 'not a url'], status: 2, says: /--base-url/ },
  { name: 'base URL with another scheme', args: () => ['dbx_local', 'exn_1', '--api-key', KEY, '--base-url', 'ftp://example.com'], status: 2, says: /--base-url/ },
  { name: 'http to a remote host', args: () => ['dbx_local', 'exn_1', '--api-key', KEY, '--base-url', 'http://example.com'], status: 2, says: /--insecure/ },
  { name: 'no API key', args: () => ['dbx_local', 'exn_1'], env: () => ({ XDG_CONFIG_HOME: join(tmpdir(), 'rt-nowhere-' + process.pid) }), status: 2, says: /--api-key.*RUNLOOP_API_KEY.*config set api-key/ },
  { name: 'corrupted config store', args: () => ['dbx_local', 'exn_1'], env: () => ({ XDG_CONFIG_HOME: configHome }), status: 2, says: /config\.json/ },
  { name: 'unreachable host', args: () => ['dbx_local', 'exn_1', '--max-retries', '1'], env: () => ({ RUNLOOP_API_KEY: KEY, RUNLOOP_BASE_URL: `http://127.0.0.1:${refused.port}` }), status: 255, says: /gave up.*ECONNREFUSED/ },
  { name: 'wrong key (401)', args: () => ['dbx_local', completedId], env: () => ({ RUNLOOP_API_KEY: 'rk_wrong_key_000000000000', RUNLOOP_BASE_URL: emulator.server.url }), status: 255, says: /API key was rejected \(401\)/ },
  { name: 'unknown execution (404)', args: () => ['dbx_local', 'exn_nope'], env: local, status: 255, says: /execution exn_nope on devbox dbx_local was not found \(404\)/ },
  { name: 'unknown devbox (404)', args: () => ['dbx_nope', 'exn_nope'], env: local, status: 255, says: /not found \(404\)/ },
  { name: '403 on the stream', args: () => ['forbidden', 'exn_1'], env: viaFake, status: 255, says: /refused \(403\): not your devbox/ },
  { name: '410 on the stream', args: () => ['gone', 'exn_1'], env: viaFake, status: 255, says: /gone \(410\): output expired/ },
  { name: '418 on the stream', args: () => ['teapot', 'exn_1'], env: viaFake, status: 255, says: /refused \(418\)/ },
  { name: 'endless 500s', args: () => ['always-500', 'exn_1', '--max-retries', '2'], env: viaFake, status: 255, says: /gave up after 2 retries.*HTTP 500/ },
  { name: 'endless 503 with Retry-After', args: () => ['always-503', 'exn_1', '--max-retries', '2'], env: viaFake, status: 255, says: /gave up after 2 retries.*HTTP 503/ },
  { name: '200 with text/html', args: () => ['html', 'exn_1'], env: viaFake, status: 255, says: /text\/html, not text\/event-stream/ },
  { name: 'SSE data that is not JSON', args: () => ['bad-json', 'exn_1'], env: viaFake, status: 255, says: /not JSON/ },
  { name: 'SSE event without output', args: () => ['no-output', 'exn_1'], env: viaFake, status: 255, says: /no "output"/ },
  { name: 'negative event offset', args: () => ['negative-offset', 'exn_1'], env: viaFake, status: 255, says: /invalid "offset": -3/ },
  { name: 'offsets going backwards', args: () => ['backwards-offset', 'exn_1'], env: viaFake, status: 255, says: /went backwards/, stdout: 'abc' },
];

describe('bad input: one line, the documented status, nothing invented on stdout', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  // Independent cases (nothing here changes a server's state): run a few at a time.
  it.concurrent.for(cases)('$name', async (c, { expect }) => {
    const result = await runCli(c.args(), { env: baseEnv(c.env?.() ?? {}) });
    const stderr = result.stderr.toString('utf8');
    const lines = stderr.split('\n').filter((line) => line !== '');
    expect(result.status, stderr).toBe(c.status);
    expect(result.stdout.toString('utf8')).toBe(c.stdout ?? '');
    expect(lines[0], stderr).toMatch(c.says);
    expect(lines[0]).toMatch(/^runloop-tail: /);
    // One line, plus at most the resume hint when some output may already have been written.
    expect(lines.length, stderr).toBeLessThanOrEqual(2);
    if (lines.length === 2) expect(lines[1]).toMatch(/^runloop-tail: resume with: runloop-tail /);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain(KEY);
  });
});
