/**
 * The official SDK (@runloop/api-client, HTTP/1.1) drives the emulator: executeAsync, both stream
 * calls, awaitCompleted, retrieve, kill (also of the process group), sendStdIn and named shells.
 */
import Runloop, { AuthenticationError, BadRequestError, NotFoundError } from '@runloop/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { within } from '../helpers/emulator-api.js';
import { Gates, until, PATIENCE_MS } from '../helpers/wait.js';

let server: RunningServer;
let client: Runloop;

beforeAll(async () => {
  server = await startServer({ port: 0, chunkSize: [1, 64], killGraceMs: 500 });
  client = new Runloop({ baseURL: server.url, bearerToken: server.apiKey, http2: false, maxRetries: 0, timeout: PATIENCE_MS });
});
afterAll(() => server?.close());

async function collect(stream: AsyncIterable<{ output: string; offset?: number }>): Promise<{ text: string; offsets: number[] }> {
  let text = '';
  const offsets: number[] = [];
  for await (const chunk of stream) {
    text += chunk.output;
    if (chunk.offset !== undefined) offsets.push(chunk.offset);
  }
  return { text, offsets };
}

describe('the official SDK against the emulator', () => {
  it('runs a command, streams stdout and stderr, waits for completion and retrieves the exit status', async () => {
    const executions = client.devboxes.executions;
    const started = await executions.executeAsync('dbx_local', {
      command: `i=0; while [ $i -lt 50 ]; do printf 'out %d é€😀\\n' $i; printf 'err %d\\n' $i >&2; i=$((i+1)); done; exit 7`,
    });
    expect(started.execution_id).toMatch(/^exn_/);
    const [stdout, stderr] = await within(
      Promise.all([
        executions.streamStdoutUpdates('dbx_local', started.execution_id).then(collect),
        executions.streamStderrUpdates('dbx_local', started.execution_id).then(collect),
      ]),
      PATIENCE_MS,
      'SDK streams',
    );
    expect(stdout.text).toBe((await server.readOutput(started.execution_id, 'stdout')).toString('utf8'));
    expect(stderr.text).toBe((await server.readOutput(started.execution_id, 'stderr')).toString('utf8'));
    expect(stdout.text.split('\n')).toHaveLength(51);
    expect(stdout.offsets.at(-1)).toBe(Buffer.byteLength(stdout.text));

    const done = await within(executions.awaitCompleted('dbx_local', started.execution_id), PATIENCE_MS, 'awaitCompleted');
    expect(done).toMatchObject({ status: 'completed', exit_status: 7 });
    const retrieved = await executions.retrieve('dbx_local', started.execution_id);
    expect(retrieved).toMatchObject({ execution_id: started.execution_id, status: 'completed', exit_status: 7 });
    expect(retrieved.stderr).toContain('err 49\n');
  });

  it('streams from a byte offset', async () => {
    const executions = client.devboxes.executions;
    const started = await executions.executeAsync('dbx_local', { command: `printf 'é€😀done'` });
    await executions.awaitCompleted('dbx_local', started.execution_id);
    const rest = await collect(await executions.streamStdoutUpdates('dbx_local', started.execution_id, { offset: '5' }));
    expect(rest.text).toBe('😀done');
  });

  it('kills a running execution (SIGTERM: exit_status 143)', async () => {
    const executions = client.devboxes.executions;
    const started = await executions.executeAsync('dbx_local', { command: 'sleep 600' });
    const killed = await executions.kill('dbx_local', started.execution_id);
    expect(killed.execution_id).toBe(started.execution_id);
    const done = await within(executions.awaitCompleted('dbx_local', started.execution_id), PATIENCE_MS, 'awaitCompleted after kill');
    expect(done.exit_status).toBe(143);
    expect((await executions.retrieve('dbx_local', started.execution_id)).exit_status).toBe(143);
  });

  it('awaitCompleted keeps asking through 408 long-poll answers', async () => {
    // The command ends only once the server has answered a long-poll with 408, so the SDK must
    // have asked again, however fast or slow this machine is.
    const log: string[] = [];
    const short = await startServer({ port: 0, waitHoldMs: 100, log: (line) => log.push(line) });
    const gates = new Gates();
    const gate = gates.gate();
    try {
      const sdk = new Runloop({ baseURL: short.url, bearerToken: short.apiKey, http2: false });
      const started = await sdk.devboxes.executions.executeAsync('dbx_local', { command: `${gate.wait}; exit 2` });
      const completed = sdk.devboxes.executions.awaitCompleted('dbx_local', started.execution_id);
      await until(() => (log.some((line) => /wait_for_status 408/.test(line)) ? true : undefined), 'a 408 answer');
      gate.open();
      const done = await within(completed, PATIENCE_MS, 'awaitCompleted');
      expect(done.exit_status).toBe(2);
    } finally {
      gate.open();
      await short.close();
      gates.remove();
    }
  });

  it('maps 401 and 404 to the SDK errors', async () => {
    const wrong = new Runloop({ baseURL: server.url, bearerToken: 'wrong', http2: false, maxRetries: 0 });
    await expect(wrong.devboxes.executions.retrieve('dbx_local', 'exn_x')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client.devboxes.executions.retrieve('dbx_local', 'exn_x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends stdin: text, then EOF; a second command reads nothing and is refused stdin', async () => {
    const executions = client.devboxes.executions;
    const started = await executions.executeAsync('dbx_local', { command: 'tr a-z A-Z', attach_stdin: true });
    expect(await executions.sendStdIn('dbx_local', started.execution_id, { text: 'hello é\n' })).toEqual({
      devbox_id: 'dbx_local',
      execution_id: started.execution_id,
      success: true,
    });
    // The SDK (1.32) takes a body whose keys are all request-option names ({signal}) for request
    // options and sends `{}`: `text: null` alongside keeps it a body.
    await executions.sendStdIn('dbx_local', started.execution_id, { signal: 'EOF', text: null });
    const done = await within(executions.awaitCompleted('dbx_local', started.execution_id), PATIENCE_MS, 'awaitCompleted after EOF');
    expect(done).toMatchObject({ exit_status: 0, stdout: 'HELLO é\n' });
    const plain = await executions.executeAsync('dbx_local', { command: 'true' });
    await expect(executions.sendStdIn('dbx_local', plain.execution_id, { text: 'x' })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('interrupts through sendStdIn and kills the process group', async () => {
    const executions = client.devboxes.executions;
    // Wait until the shell's child runs as itself before the INTERRUPT: `cat` echoes our line only
    // then. A line the shell prints (`echo ready; sleep 600`) is not enough: dash catches SIGINT
    // and holds it while it forks, and a SIGINT reaching the forked child before its execve is
    // caught by dash's handler and lost at the execve, so `sleep` kept running (8 of 100 runs
    // here; a terminal's Ctrl-C does the same). The shell forks `cat` (not its last command), so
    // completing with 130 and no "not reached" shows that the group, shell and child, got SIGINT.
    const interrupted = await executions.executeAsync('dbx_local', { command: 'cat; echo not reached', attach_stdin: true });
    await executions.sendStdIn('dbx_local', interrupted.execution_id, { text: 'ready\n', signal: null });
    await until(async () => ((await server.readOutput(interrupted.execution_id, 'stdout')).toString() === 'ready\n' ? true : undefined), 'the command to start');
    await executions.sendStdIn('dbx_local', interrupted.execution_id, { signal: 'INTERRUPT', text: null });
    expect(await within(executions.awaitCompleted('dbx_local', interrupted.execution_id), PATIENCE_MS, 'after INTERRUPT')).toMatchObject({ exit_status: 130, stdout: 'ready\n' });

    const group = await executions.executeAsync('dbx_local', { command: 'sleep 600 & sleep 600; wait' });
    await executions.kill('dbx_local', group.execution_id, { kill_process_group: true });
    expect((await within(executions.awaitCompleted('dbx_local', group.execution_id), PATIENCE_MS, 'after kill')).exit_status).toBe(143);
  });

  it('keeps the directory and environment of a named shell between commands', async () => {
    const executions = client.devboxes.executions;
    const first = await executions.executeAsync('dbx_local', { command: 'mkdir -p w && cd w && export KEPT=yes', shell_name: 'sdk' });
    await within(executions.awaitCompleted('dbx_local', first.execution_id), PATIENCE_MS, 'first');
    const second = await executions.executeAsync('dbx_local', { command: 'basename "$PWD"; echo "$KEPT"', shell_name: 'sdk' });
    const done = await within(executions.awaitCompleted('dbx_local', second.execution_id), PATIENCE_MS, 'second');
    expect(done).toMatchObject({ exit_status: 0, stdout: 'w\nyes\n', shell_name: 'sdk' });
  });
});
