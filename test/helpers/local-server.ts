/**
 * The local server most end-to-end files share: one per test file, started on port 0 before its
 * tests and closed after them, with the environment that points the CLI at it.
 */
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/emulator/server.js';
import { baseEnv } from './run-cli.js';

export interface LocalServer {
  /** The running server (from beforeAll on). */
  readonly server: RunningServer;
  /** baseEnv() with the server's key and URL, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
}

/** Registers the file's beforeAll/afterAll; call it at the top level of a test file. */
export function localServerForFile(): LocalServer {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer({ port: 0, env: baseEnv() });
  });
  afterAll(async () => {
    await running?.close();
  });
  const local: LocalServer = {
    get server() {
      if (running === undefined) throw new Error('the local server is used before beforeAll started it');
      return running;
    },
    env: (extra = {}) => baseEnv({ RUNLOOP_API_KEY: local.server.apiKey, RUNLOOP_BASE_URL: local.server.url, ...extra }),
  };
  return local;
}
