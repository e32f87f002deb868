/**
 * The process-wide set-up (the V8 flag that keeps a follow's memory flat) is asked for by the
 * entry, before the action of a command that follows, and never by any other command.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { Io } from '../../src/io.js';
import { fakeIo } from '../helpers/fake-streams.js';

/** No API key in the environment: a follow's action stops at once with exit 2, after the hook. */
const noKeyIo = (): Io => fakeIo({ XDG_CONFIG_HOME: '/nonexistent/runloop-tail-test', HOME: '/nonexistent/runloop-tail-test' }).io;

describe('beforeFollow: called for the commands that follow, only them', () => {
  it.each([
    { argv: ['dbx_1', 'exn_1'], follows: true },
    { argv: ['tail', 'dbx_1/exn_1', 'dbx_2/exn_2'], follows: true },
    { argv: ['exec', 'dbx_1', '--', 'true'], follows: true },
    { argv: ['status', 'dbx_1', 'exn_1'], follows: false },
    { argv: ['kill', 'dbx_1', 'exn_1'], follows: false },
    { argv: ['completion', 'bash'], follows: false },
    { argv: ['tail', '--help'], follows: false },
    { argv: ['--version'], follows: false },
  ])('$argv → $follows', async ({ argv, follows }) => {
    let calls = 0;
    await runCli(argv, noKeyIo(), { beforeFollow: () => calls++ });
    expect(calls).toBe(follows ? 1 : 0);
  });
});
