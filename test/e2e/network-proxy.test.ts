/**
 * Proxies from the environment, through a real HTTP proxy (the `proxy` package, the one
 * https-proxy-agent is tested against) on loopback: HTTPS through CONNECT with and without
 * credentials, http:// as absolute-URI requests, NO_PROXY bypass (the proxy sees nothing), 407,
 * and tunnels cut mid-stream by the proxy (output still byte-exact).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createProxy, type ProxyServer } from 'proxy';
import { defaultFaults } from '../../src/emulator/faults.js';
import { runCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { prng } from '../helpers/scenario.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

interface TestProxy {
  url: string;
  /** CONNECT requests (tunnels) seen, by target "host:port". */
  readonly tunnels: string[];
  /** Plain (absolute-URI) requests seen. */
  readonly requests: string[];
  /** Proxy-Authorization headers seen. */
  readonly authorizations: (string | undefined)[];
  /** Tunnels the proxy cut. */
  cuts: number;
  /** When set, each tunnel is cut after about this many bytes towards the client. */
  cutAfter: (() => number) | undefined;
  readonly server: ProxyServer;
}

let proxy: TestProxy;
const tlsLocal = localServerForFile({ start: { tls: true } });
const httpLocal = localServerForFile();
const dir = tempDirForFile('rt-proxy-');
const sockets = new Set<Socket>();

async function startProxy(): Promise<TestProxy> {
  const server = createProxy(createServer());
  const state: TestProxy = { url: '', tunnels: [], requests: [], authorizations: [], cuts: 0, cutAfter: undefined, server };
  const see = (request: IncomingMessage) => state.authorizations.push(request.headers['proxy-authorization']);
  server.on('request', (request: IncomingMessage) => {
    state.requests.push(request.url ?? '');
    see(request);
  });
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    state.tunnels.push(request.url ?? '');
    see(request);
    const budget = state.cutAfter?.();
    if (budget === undefined) return;
    // Count what the proxy relays to the client and drop the tunnel past the budget.
    let sent = 0;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = (chunk: Buffer | string, ...rest: unknown[]) => {
      sent += chunk.length;
      if (sent > budget && !socket.destroyed) {
        state.cuts++;
        socket.destroy();
        return false;
      }
      return write(chunk, ...rest);
    };
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

beforeAll(async () => {
  proxy = await startProxy();
});
afterEach(() => {
  proxy.tunnels.length = 0;
  proxy.requests.length = 0;
  proxy.authorizations.length = 0;
  proxy.cuts = 0;
  proxy.cutAfter = undefined;
  proxy.server.authenticate = undefined;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => proxy?.server.close(() => resolve()));
});

function tlsEnv(extra: Record<string, string>) {
  return tlsLocal.env({ NODE_EXTRA_CA_CERTS: tlsLocal.server.caFile, ...extra });
}

const COMMAND = "printf 'out é\\n'; printf 'err €\\n' >&2; exit 5";

describe('through a proxy', () => {
  it('HTTPS_PROXY: every request of exec goes through CONNECT tunnels, the output is exact', async () => {
    const result = await runCli(['exec', 'dbx_local', '--verbose', '--', COMMAND], { env: tlsEnv({ HTTPS_PROXY: proxy.url }) });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.stderr.toString('utf8')).toContain('err €\n');
    expect(result.stderr.toString('utf8')).toContain(`runloop-tail: network: ${tlsLocal.server.url} through the proxy ${proxy.url} (from HTTPS_PROXY)\n`);
    expect(result.status).toBe(5);
    const target = new URL(tlsLocal.server.url).host;
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.every((t) => t === target)).toBe(true);
    expect(proxy.requests).toEqual([]);
  });

  it('credentials in the proxy URL are sent as Proxy-Authorization and never printed', async () => {
    const expected = `Basic ${Buffer.from('alice:s3cr#t').toString('base64')}`;
    proxy.server.authenticate = (request) => request.headers['proxy-authorization'] === expected;
    const proxyUrl = proxy.url.replace('http://', 'http://alice:s3cr%23t@');
    const result = await runCli(['exec', 'dbx_local', '--verbose', '--', COMMAND], { env: tlsEnv({ https_proxy: proxyUrl }) });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.status).toBe(5);
    const stderr = result.stderr.toString('utf8');
    expect(stderr).toContain(`through the proxy ${proxy.url.replace('http://', 'http://alice:****@')} (from https_proxy)`);
    expect(stderr).not.toContain('s3cr');
    expect(proxy.authorizations.length).toBeGreaterThanOrEqual(1);
    expect(proxy.authorizations.every((a) => a === expected)).toBe(true);
  });

  it('a wrong password: 407 is one line naming the proxy (password masked), 255, no retry', async () => {
    proxy.server.authenticate = () => false;
    const proxyUrl = proxy.url.replace('http://', 'http://alice:wrong-pass@');
    const result = await runCli(['tail', 'dbx_local', 'exn_1', '--max-retries', '5'], { env: tlsEnv({ HTTPS_PROXY: proxyUrl }) });
    const lines = result.stderr.toString('utf8').trimEnd().split('\n');
    expect(lines).toEqual([
      `runloop-tail: the proxy ${proxy.url.replace('http://', 'http://alice:****@')} (from HTTPS_PROXY) refused the request to ${new URL(tlsLocal.server.url).host} with 407; check the user and password in HTTPS_PROXY`,
    ]);
    expect(result.status).toBe(255);
    expect(proxy.tunnels).toHaveLength(1);
  });

  it('http:// targets go as absolute-URI requests through HTTP_PROXY', async () => {
    const env = httpLocal.env({ http_proxy: proxy.url });
    const result = await runCli(['exec', 'dbx_local', '--', COMMAND], { env });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.stderr.toString('utf8')).toBe('err €\n');
    expect(result.status).toBe(5);
    expect(proxy.requests.length).toBeGreaterThanOrEqual(3); // execute_async, status, two streams
    expect(proxy.requests.every((url) => url.startsWith(`${httpLocal.server.url}/v1/devboxes/dbx_local/`))).toBe(true);
    expect(proxy.tunnels).toEqual([]);
  });

  it('status and kill go through the proxy too', async () => {
    const view = await httpLocal.server.execute('dbx_local', 'exit 4');
    const env = httpLocal.env({ http_proxy: proxy.url });
    const status = await runCli(['status', 'dbx_local', view.execution_id], { env });
    expect(status.stderr.toString('utf8')).toBe('');
    expect([0, 4]).toContain(status.status); // running a moment longer, or completed with its status
    const kill = await runCli(['kill', 'dbx_local', view.execution_id], { env });
    expect(kill.stderr.toString('utf8')).toBe('');
    expect(kill.status).toBe(0);
    const prefix = `${httpLocal.server.url}/v1/devboxes/dbx_local/executions/${view.execution_id}`;
    expect(proxy.requests).toEqual([prefix, `${prefix}/kill`]);
  });

  it.each([
    ['NO_PROXY=127.0.0.1', { NO_PROXY: '127.0.0.1' }],
    ['no_proxy=*', { no_proxy: '*' }],
    ['NO_PROXY=host:port', { NO_PROXY: 'example.test, 127.0.0.1:PORT' }],
  ])('%s: the proxy sees nothing', async (_name, extra: Record<string, string>) => {
    const noProxy = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.replace('PORT', new URL(tlsLocal.server.url).port)]));
    const result = await runCli(['exec', 'dbx_local', '--', COMMAND], { env: tlsEnv({ HTTPS_PROXY: proxy.url, ...noProxy }) });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.status).toBe(5);
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.requests).toEqual([]);
  });

  it('NO_PROXY that does not match (another host, another port): through the proxy', async () => {
    const env = tlsEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,127.0.0.1:1,example.test` });
    const result = await runCli(['exec', 'dbx_local', '--', COMMAND], { env });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.status).toBe(5);
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
  });

  it.each([3001, 3002])('tunnels cut mid-stream by the proxy are resumed exactly (seed %i)', async (seed) => {
    // Known output large enough that every stream tunnel is cut several times (each carries at
    // most ~26 KB), with lines short enough that the status view (last 100 lines) fits a tunnel.
    const lines = (count: number, tag: string) =>
      Buffer.from(Array.from({ length: count }, (_, i) => `${tag} ${i} é€😀 ${'x'.repeat(i % 40)}\n`).join(''), 'utf8');
    const stdout = lines(3000, 'out');
    const stderr = Buffer.concat([lines(800, 'err'), Buffer.from('no final newline é', 'utf8')]);
    writeFileSync(join(dir, `out-${seed}`), stdout);
    writeFileSync(join(dir, `err-${seed}`), stderr);
    // Only the proxy misbehaves here: the server itself is clean, its events small.
    tlsLocal.server.setFaults({ seed, chunkSize: [64, 4096] });
    const random = prng(seed);
    proxy.cutAfter = () => 6000 + Math.floor(random() * 20_000);
    try {
      const view = await tlsLocal.server.execute('dbx_local', `cat '${join(dir, `out-${seed}`)}'; cat '${join(dir, `err-${seed}`)}' >&2; exit 7`);
      const result = await runCli(['dbx_local', view.execution_id, '--max-retries', '50'], { env: tlsEnv({ HTTPS_PROXY: proxy.url }) });
      const context = `seed ${seed}; cuts ${proxy.cuts}; stderr tail: ${result.stderr.toString('utf8').slice(-300)}`;
      expect(result.stdout.equals(stdout), context).toBe(true);
      expect(result.stderr.equals(stderr), context).toBe(true);
      expect(result.status, context).toBe(7);
      expect(proxy.cuts, context).toBeGreaterThanOrEqual(5);
    } finally {
      tlsLocal.server.setFaults(defaultFaults);
    }
  });
});
