/**
 * The local server the end-to-end files share: one per test file (or several), started on port 0
 * before its tests and closed after them, or one of a single test's own; each with the
 * environment that points the CLI at it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServer, type Faults, type RunningServer, type ServerOptions } from '../../src/emulator/server.js';
import { baseEnv } from './run-cli.js';

/** Variables to add to the CLI's environment; an undefined value leaves that variable out. */
export type EnvExtra = Record<string, string | undefined>;

export interface LocalServer {
  /** The running server (for a file's server: from beforeAll on). */
  readonly server: RunningServer;
  /**
   * baseEnv() with the server's key (RUNLOOP_API_KEY) and URL (RUNLOOP_BASE_URL), plus `extra`,
   * which may replace either or, with undefined, leave it out.
   */
  readonly env: (extra?: EnvExtra) => Record<string, string>;
}

export interface LocalServerOptions {
  /**
   * startServer's options (faults, killGraceMs, apiKey, tls…) on top of port 0 and children that
   * get baseEnv().
   */
  readonly start?: ServerOptions;
  /**
   * After every test, the faults go back to those the server started with, so each test starts
   * from them whichever test changed them before (or ran alone, with -t).
   */
  readonly resetFaultsAfterEach?: boolean;
}

function start(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, env: baseEnv(), ...options });
}

function envFor(server: RunningServer, extra: EnvExtra = {}): Record<string, string> {
  return baseEnv({ RUNLOOP_API_KEY: server.apiKey, RUNLOOP_BASE_URL: server.url, ...extra });
}

/**
 * Registers the file's beforeAll/afterAll (and with `resetFaultsAfterEach` its afterEach); call
 * it at the top level of a test file, once for each server the file needs.
 */
export function localServerForFile(options: LocalServerOptions = {}): LocalServer {
  let running: RunningServer | undefined;
  let initialFaults: Faults | undefined;
  beforeAll(async () => {
    running = await start(options.start);
    initialFaults = running.faults();
  });
  if (options.resetFaultsAfterEach === true) {
    afterEach(() => {
      if (running !== undefined && initialFaults !== undefined) running.setFaults(initialFaults);
    });
  }
  afterAll(async () => {
    await running?.close();
  });
  const local: LocalServer = {
    get server() {
      if (running === undefined) throw new Error('the local server is used before beforeAll started it');
      return running;
    },
    env: (extra) => envFor(local.server, extra),
  };
  return local;
}

/**
 * Starts a server of one test's own (a seed's faults, say: faults are per server, so tests with
 * their own servers may run at the same time), hands it to `use` and closes it however `use` ends.
 */
export async function withLocalServer<T>(options: ServerOptions, use: (local: LocalServer) => Promise<T>): Promise<T> {
  const server = await start(options);
  try {
    return await use({ server, env: (extra) => envFor(server, extra) });
  } finally {
    await server.close();
  }
}
