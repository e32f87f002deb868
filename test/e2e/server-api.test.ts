/**
 * The emulator's JSON calls: execute_async, retrieve, wait_for_status (long-poll), kill, and the
 * 400 / 401 / 404 / 405 bodies.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ExecutionDetailView, type RunningServer } from '../../src/emulator/server.js';
import { call, executionPath, streamUrl, within } from '../helpers/emulator-api.js';
import { readSse } from '../helpers/sse.js';
import { PATIENCE_MS } from '../helpers/wait.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

let server: RunningServer;
const scratch = tempDirForFile('emulator-api-');

beforeAll(async () => {
  server = await startServer({ port: 0, devboxes: ['dbx_other'], waitHoldMs: 200, killGraceMs: 300, env: { PATH: '/usr/bin:/bin', GREETING: 'hello' } });
});
afterAll(async () => {
  await server?.close();
});

async function start(command: string, extra: Record<string, unknown> = {}, devboxId = 'dbx_local'): Promise<ExecutionDetailView> {
  const answer = await call(server, 'POST', `/v1/devboxes/${devboxId}/execute_async`, { command, ...extra });
  expect(answer.status).toBe(200);
  return answer.body as unknown as ExecutionDetailView;
}

async function finished(view: ExecutionDetailView): Promise<ExecutionDetailView> {
  return within(server.waitCompleted(view.execution_id), PATIENCE_MS, `execution ${view.execution_id}`);
}

describe('execute_async and retrieve', () => {
  it('starts a real process and returns the SDK view', async () => {
    const view = await start(`printf 'hi €\\n'; printf 'oops\\n' >&2; exit 3`);
    expect(view).toMatchObject({ devbox_id: 'dbx_local', shell_name: null });
    expect(view.execution_id).toMatch(/^exn_[0-9a-z]{20}$/);
    expect(['queued', 'running', 'completed']).toContain(view.status);
    // A command this short may have ended before the answer was written (seen on a busy machine).
    expect(view.exit_status).toBe(view.status === 'completed' ? 3 : null);
    await finished(view);
    const answer = await call(server, 'GET', executionPath(view.execution_id));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      devbox_id: 'dbx_local',
      execution_id: view.execution_id,
      status: 'completed',
      exit_status: 3,
      shell_name: null,
      stdout: 'hi €\n',
      stdout_truncated: false,
      stderr: 'oops\n',
      stderr_truncated: false,
    });
  });

  it('keeps the last last_n lines in the view and says it truncated', async () => {
    const view = await start(`seq 1 150`);
    await finished(view);
    const byDefault = await call(server, 'GET', executionPath(view.execution_id));
    expect(String(byDefault.body.stdout).split('\n')).toHaveLength(101); // 100 lines and the final newline
    expect(byDefault.body.stdout_truncated).toBe(true);
    const three = await call(server, 'GET', executionPath(view.execution_id, '?last_n=3'));
    expect(three.body.stdout).toBe('148\n149\n150\n');
    expect((await call(server, 'GET', executionPath(view.execution_id, '?last_n=x'))).status).toBe(400);
  });

  it.each([
    { command: 'exit 0', exitStatus: 0 },
    { command: 'exit 42', exitStatus: 42 },
    { command: 'kill -9 $$', exitStatus: 137 },
    { command: 'kill -TERM $$', exitStatus: 143 },
    { command: 'no-such-command-here', exitStatus: 127 },
  ])('reports exit_status $exitStatus for `$command`', async ({ command, exitStatus }) => {
    const view = await finished(await start(command));
    expect(view.exit_status).toBe(exitStatus);
  });

  it('runs with the environment it was given, in a working directory of its own', async () => {
    const view = await finished(await start(`printf '%s %s' "$GREETING" "$(ls -A | wc -l)"`));
    expect(view.stdout).toBe('hello 0');
  });

  it('shares a working directory between executions of one shell_name', async () => {
    const first = await finished(await start(`echo kept > note.txt`, { shell_name: 'main' }));
    expect(first.shell_name).toBe('main');
    const second = await finished(await start(`cat note.txt`, { shell_name: 'main' }));
    expect(second.stdout).toBe('kept\n');
    const other = await finished(await start(`cat note.txt`));
    expect(other.exit_status).not.toBe(0);
  });

  it('keeps executions apart per devbox', async () => {
    const view = await start('true', {}, 'dbx_other');
    expect(view.devbox_id).toBe('dbx_other');
    expect((await call(server, 'GET', executionPath(view.execution_id, '', 'dbx_other'))).status).toBe(200);
    const elsewhere = await call(server, 'GET', executionPath(view.execution_id, '', 'dbx_local'));
    expect(elsewhere.status).toBe(404);
    expect(String(elsewhere.body.message)).toContain(view.execution_id);
  });
});

describe('wait_for_status', () => {
  it('answers as soon as the status is one of those asked for', async () => {
    const go = join(scratch, 'go-wait');
    const view = await start(`while [ ! -f '${go}' ]; do sleep 0.02; done; exit 5`);
    const running = await call(server, 'POST', executionPath(view.execution_id, '/wait_for_status'), { statuses: ['running', 'completed'] });
    expect(running.body.status).toBe('running');
    const wait = () => call(server, 'POST', executionPath(view.execution_id, '/wait_for_status'), { statuses: ['completed'] });
    const waiting = wait();
    await writeFile(go, '');
    // The hold is 200 ms here: on a busy machine the command may take longer to see the file and
    // end, and the long-poll then answers 408 — a client asks again, as this does.
    let done = await waiting;
    while (done.status === 408) done = await wait();
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', exit_status: 5 });
  });

  it('answers 408 with a JSON body after the hold (long-poll)', async () => {
    const view = await start('sleep 600');
    const started = Date.now();
    const answer = await call(server, 'POST', executionPath(view.execution_id, '/wait_for_status'), { statuses: ['completed'] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(answer.status).toBe(408);
    expect(answer.body).toMatchObject({ status: 408, error: 'request_timeout' });
    expect(answer.headers.get('x-should-retry')).toBe('true');
    await call(server, 'POST', executionPath(view.execution_id, '/kill'));
    await finished(view);
  });

  it.each([{}, { statuses: [] }, { statuses: ['done'] }, { statuses: 'completed' }])('answers 400 for body %j', async (body) => {
    const view = await start('true');
    const answer = await call(server, 'POST', executionPath(view.execution_id, '/wait_for_status'), body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, error: 'bad_request' });
  });
});

describe('kill', () => {
  it('stops the process group with SIGTERM: exit_status 143', async () => {
    // A pipeline: the group kill reaches both sides, not only the shell.
    const view = await start('sleep 600 | sleep 600');
    const answer = await call(server, 'POST', executionPath(view.execution_id, '/kill'), {});
    expect(answer.status).toBe(200);
    expect(answer.body.execution_id).toBe(view.execution_id);
    const done = await finished(view);
    expect(done.exit_status).toBe(143);
  });

  it('sends SIGKILL after the grace when SIGTERM is ignored: exit_status 137', async () => {
    const view = await start(`trap '' TERM; echo ready; sleep 600`);
    // Kill only once the trap is set: "running" alone may be before the shell read it.
    await readSse(streamUrl(server, view.execution_id, 'stdout', 0), { apiKey: server.apiKey, onChunk: () => true });
    await call(server, 'POST', executionPath(view.execution_id, '/kill'));
    expect((await finished(view)).exit_status).toBe(137);
  });

  it('leaves a completed execution as it was', async () => {
    const view = await finished(await start('exit 4'));
    const answer = await call(server, 'POST', executionPath(view.execution_id, '/kill'));
    expect(answer.body).toMatchObject({ status: 'completed', exit_status: 4 });
  });
});

describe('errors', () => {
  it.each([
    { name: 'no Authorization header', key: null },
    { name: 'a wrong key', key: 'not-the-key' },
  ])('answers 401 with a JSON body for $name, on every route', async ({ key }) => {
    for (const path of ['/v1/devboxes/dbx_local/execute_async', executionPath('exn_x'), '/nowhere']) {
      const answer = await call(server, 'GET', path, undefined, key);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status: 401, error: 'unauthorized' });
      expect(JSON.stringify(answer.body)).not.toContain(server.apiKey);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 for a header that is not a bearer', async () => {
    const response = await fetch(`${server.url}${executionPath('exn_x')}`, { headers: { authorization: `Basic ${server.apiKey}` } });
    expect(response.status).toBe(401);
  });

  it.each([
    { path: '/v1/devboxes/dbx_nope/execute_async', method: 'POST', body: { command: 'true' }, says: 'devbox dbx_nope' },
    { path: executionPath('exn_unknown'), method: 'GET', body: undefined, says: 'exn_unknown' },
    { path: executionPath('exn_unknown', '/stream_stdout_updates'), method: 'GET', body: undefined, says: 'exn_unknown' },
    { path: executionPath('exn_unknown', '/kill'), method: 'POST', body: {}, says: 'exn_unknown' },
    { path: executionPath('exn_unknown', '', 'dbx_nope'), method: 'GET', body: undefined, says: 'devbox dbx_nope' },
    { path: '/v1/devboxes', method: 'GET', body: undefined, says: 'no route' },
  ])('answers 404 with a JSON body for $method $path', async ({ path, method, body, says }) => {
    const answer = await call(server, method, path, body);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ status: 404, error: 'not_found' });
    expect(String(answer.body.message)).toContain(says);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const answer = await call(server, 'GET', '/v1/devboxes/dbx_local/execute_async');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body).toMatchObject({ status: 405, error: 'method_not_allowed' });
  });

  it.each([
    { body: '{not json', says: 'not valid JSON' },
    { body: '[1]', says: 'JSON object' },
    { body: { command: '' }, says: 'command' },
    { body: { command: 5 }, says: 'command' },
    { body: { command: 'true', shell_name: 7 }, says: 'shell_name' },
  ])('answers 400 for execute_async body $body', async ({ body, says }) => {
    const answer = await call(server, 'POST', '/v1/devboxes/dbx_local/execute_async', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, error: 'bad_request' });
    expect(String(answer.body.message)).toContain(says);
  });

  it.each(['-1', '1.5', 'abc', '1e3', ' 1', '99999999999999999999'])('answers 400 for offset=%s', async (offset) => {
    const view = await finished(await start('printf abc'));
    const answer = await call(server, 'GET', executionPath(view.execution_id, `/stream_stdout_updates?offset=${encodeURIComponent(offset)}`));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 400, error: 'bad_request' });
    expect(String(answer.body.message)).toContain('offset');
  });
});

describe('programmatic API', () => {
  it('starts executions without HTTP and rejects an unknown devbox', async () => {
    const view = await server.execute('dbx_local', 'printf direct');
    await finished(view);
    expect((await server.readOutput(view.execution_id, 'stdout')).toString()).toBe('direct');
    await expect(server.execute('dbx_nope', 'true')).rejects.toThrow(/dbx_nope/);
    await expect(server.readOutput('exn_nope', 'stdout')).rejects.toThrow(/exn_nope/);
    expect(() => server.setFaults({ cutProbability: 2 })).toThrow(/cutProbability/);
  });

  it('gives children only PATH and HOME when no env is passed', async () => {
    const bare = await startServer();
    try {
      const view = await bare.execute('dbx_local', 'env | cut -d= -f1 | grep -v "^PWD$\\|^SHLVL$\\|^_$" | sort | tr "\\n" " "');
      expect((await bare.waitCompleted(view.execution_id)).stdout).toBe('HOME PATH ');
    } finally {
      await bare.close();
    }
  });

  it('gives the same execution ids for the same seed (a replay)', async () => {
    const [a, b] = await Promise.all([startServer({ seed: 7 }), startServer({ seed: 7 })]);
    try {
      const first = await Promise.all([a.execute('dbx_local', 'true'), b.execute('dbx_local', 'true')]);
      expect(first[0].execution_id).toBe(first[1].execution_id);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
