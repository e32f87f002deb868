/**
 * The local Runloop-compatible server ("the emulator"): a real HTTP/1.1 server on loopback that runs
 * commands as local processes and streams their output, misbehaving on purpose when told to.
 *
 * Contract notes (where the Runloop API leaves room):
 * - Stream `offset` in the query counts bytes. An offset inside a multi-byte character starts the
 *   stream at that character's first byte (a resend of up to 3 bytes; event offsets stay truthful).
 * - An offset beyond what a running execution has written is fine: the stream waits for the bytes.
 *   An offset beyond the final length of a completed execution is a 400.
 * - Views carry the last `last_n` lines (default 100, at most 64 KiB) of each stream in every status;
 *   `stdout_truncated` / `stderr_truncated` say when that is not the whole output.
 * - Output that is not valid UTF-8 reaches clients with U+FFFD; offsets keep counting file bytes.
 * - send_std_in on a queued execution waits until it runs; INTERRUPT or kill of a queued one
 *   cancels it (130 / 143) without running it.
 * - Execution ids follow the seed but skip ids whose directory exists in the data dir.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from './auth.js';
import { generateCertificates } from './certificate.js';
import { Executions, UnknownDevboxError } from './executions.js';
import { checkedCount, resolveFaults, type FaultOptions, type Faults } from './faults.js';
import type { ExecutionDetailView, StreamName } from '../api/wire.js';
import { handleRequest } from './routes.js';
import type { ServerState } from './route-context.js';
import { executionView } from './view.js';

export type { OffsetMode, FaultOptions, Faults } from './faults.js';
export type { ExecutionDetailView, StreamName } from '../api/wire.js';
export { defaultDevboxId } from './default-devbox.js';

/** Options of startServer; fault options may change later through `setFaults`. */
export interface ServerOptions extends FaultOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default: a generated random key. */
  apiKey?: string;
  /** {@link defaultDevboxId} always exists; these in addition. */
  devboxes?: readonly string[];
  /** wait_for_status hold before its 408, default 25000. */
  waitHoldMs?: number;
  /** SIGTERM → SIGKILL grace for kill and close(), default 2000. */
  killGraceMs?: number;
  /** Where outputs live on disk; default a fresh temporary directory, removed on close(). */
  dataDir?: string;
  /** Environment of the child processes (the emulator never reads process.env); default PATH, and HOME = dataDir. */
  env?: Record<string, string | undefined>;
  /** Receives one line per finished request. */
  log?: (line: string) => void;
  /**
   * Serve HTTPS. `true`: with a certificate for the host (and localhost, 127.0.0.1, ::1) signed by
   * a CA generated at start, whose PEM is `RunningServer.ca` and the file `RunningServer.caFile`
   * (clients trust it with NODE_EXTRA_CA_CERTS). Or a PEM certificate (chain) and key.
   */
  tls?: boolean | { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** A started server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:43123, or https://… with `tls` */
  readonly url: string;
  /** With `tls: true`: the PEM of the generated CA that signed the server's certificate. */
  readonly ca: string | undefined;
  /** With `tls: true`: a file holding `ca`, for NODE_EXTRA_CA_CERTS (in the data directory). */
  readonly caFile: string | undefined;
  readonly port: number;
  readonly apiKey: string;
  /** Starts an execution without HTTP (tests), the same as execute_async. */
  execute(devboxId: string, command: string, shellName?: string, options?: { attachStdin?: boolean }): Promise<ExecutionDetailView>;
  /** The exact bytes an execution has written so far to a stream (the final bytes once completed). */
  readOutput(executionId: string, stream: StreamName): Promise<Buffer>;
  /** Resolves when the execution has completed. */
  waitCompleted(executionId: string): Promise<ExecutionDetailView>;
  /** The number of stream connections (requests to either stream route) served so far. */
  readonly connections: () => number;
  /** The fault options in force. */
  faults(): Faults;
  /** Changes fault options; new connections and the next event of open ones follow them. Throws RangeError on a bad value. */
  setFaults(changes: FaultOptions): void;
  /** Stops listening, destroys open sockets, stops every child (SIGKILL after the grace), removes a temporary dataDir. */
  close(): Promise<void>;
}

/** The environment of children when none is given: a usual PATH and HOME in the data dir. */
function childEnv(env: Record<string, string | undefined> | undefined, dataDir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const given = env ?? { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dataDir };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) result[name] = value;
  return result;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * The host of the URL clients use: a wildcard address (every interface) is reached on loopback
 * here, and a loopback URL is one the client accepts without --insecure.
 */
export function hostForUrl(host: string): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  return reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
}

/** Starts the emulator. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  let faults = resolveFaults(options);
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? generateApiKey();
  if (apiKey === '') throw new RangeError('apiKey must not be empty');
  const waitHoldMs = checkedCount('waitHoldMs', options.waitHoldMs ?? 25_000);
  const killGraceMs = checkedCount('killGraceMs', options.killGraceMs ?? 2_000);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'runloop-tail-serve-')));
  const executions = new Executions({ dataDir, seed: faults.seed, devboxes: options.devboxes ?? [], env: childEnv(options.env, dataDir) });
  const closing = new AbortController();
  const notes = new WeakMap<ServerResponse, string[]>();
  let connections = 0;

  const state: ServerState = {
    executions,
    faults: () => faults,
    waitHoldMs,
    killGraceMs,
    closing: closing.signal,
    countConnection: () => void connections++,
    note: (response, text) => notes.set(response, [...(notes.get(response) ?? []), text]),
  };

  const certificates = options.tls === true ? generateCertificates({ hosts: [...new Set([host, 'localhost', '127.0.0.1', '::1'])] }) : undefined;
  const tls = certificates?.server ?? (typeof options.tls === 'object' ? options.tls : undefined);
  const caFile = certificates === undefined ? undefined : join(dataDir, 'ca.pem');
  if (caFile !== undefined && certificates !== undefined) await writeFile(caFile, certificates.ca.cert, { mode: 0o644 });

  const sockets = new Set<Socket>();
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const started = Date.now();
    const handled = handleRequest(request, response, state, apiKey);
    if (options.log !== undefined) {
      const log = options.log;
      // A stream's outcome is noted when its handler returns, which may be after the response
      // closed (a cut, a client gone): log once both happened.
      const closed = new Promise<number>((resolve) => response.once('close', () => resolve(Date.now())));
      void Promise.all([closed, handled]).then(([closedAt]) => {
        const extra = notes.get(response)?.join(', ');
        const status = response.headersSent ? response.statusCode : 0;
        log(`${request.method ?? '?'} ${request.url ?? '?'} ${status} ${closedAt - started}ms${extra ? ` (${extra})` : ''}`);
      });
    }
  };
  const server: Server = tls === undefined ? createServer(onRequest) : createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listen(server, options.port ?? 0, host);

  const known = (executionId: string) => {
    const execution = executions.get(executionId);
    if (execution === undefined) throw new RangeError(`unknown execution ${executionId}`);
    return execution;
  };

  let closed: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${hostForUrl(host)}:${port}`,
    port,
    ca: certificates?.ca.cert,
    caFile,
    apiKey,
    async execute(devboxId, command, shellName, startOptions) {
      try {
        const request = { shellName: shellName ?? null, attachStdin: startOptions?.attachStdin === true };
        return await executionView(await executions.start(devboxId, command, request));
      } catch (error) {
        if (error instanceof UnknownDevboxError) throw new RangeError(error.message, { cause: error });
        throw error;
      }
    },
    async readOutput(executionId, stream) {
      const execution = known(executionId);
      return execution.output.read(stream, 0, await execution.length(stream));
    },
    async waitCompleted(executionId) {
      const execution = known(executionId);
      await execution.completed;
      return executionView(execution);
    },
    connections: () => connections,
    faults: () => faults,
    setFaults(changes) {
      faults = resolveFaults(changes, faults);
    },
    close() {
      closed ??= (async () => {
        closing.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await Promise.all([stopped, executions.stopAll(killGraceMs)]);
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
