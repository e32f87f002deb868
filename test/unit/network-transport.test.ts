/**
 * The transport: keep-alive reuse per target, aborts that leave the agent healthy, and a proxy's
 * refusal told apart from the service's answer; a stream that meets a bad certificate or a refusing
 * proxy fails for good. Small purpose-built servers on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { httpRequest, readText } from '../../src/api/http.js';
import { createTransport, type Transport } from '../../src/api/transport.js';
import { permanentNetworkError, ProxyRefused } from '../../src/api/errors.js';
import { TailError } from '../../src/errors.js';
import { generateCertificates } from '../../src/emulator/certificate.js';
import { openConnection } from '../../src/stream/connection.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

function transport(env: Record<string, string> = {}): Transport {
  const made = createTransport(env);
  cleanups.push(() => made.close());
  return made;
}

/** Serves /short (a small JSON body) and /stream (writes forever until the client goes). */
function apiServer(): Server {
  return createServer((request, response) => {
    if (request.url === '/stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => response.write(`data: ${'x'.repeat(1000)}\n\n`), 5);
      response.on('close', () => clearInterval(timer));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
}

describe('connections per target', () => {
  it('reuses one kept-alive connection for calls in a row', async () => {
    const server = await listen(apiServer());
    const network = transport();
    for (let i = 0; i < 3; i++) {
      const response = await httpRequest(new URL(`${server.url}/short`), { transport: network });
      expect(await readText(response.body)).toBe('{"ok":true}');
    }
    expect(server.connections()).toBe(1);
  });

  it('after a stream is aborted mid-body, the next call gets a fresh, working connection', async () => {
    const server = await listen(apiServer());
    const network = transport();
    const controller = new AbortController();
    const stream = await httpRequest(new URL(`${server.url}/stream`), { transport: network, signal: controller.signal });
    for await (const chunk of stream.body as AsyncIterable<Buffer>) {
      expect(chunk.length).toBeGreaterThan(0);
      break; // leaving the loop destroys the body, and its socket with it
    }
    controller.abort();
    const response = await httpRequest(new URL(`${server.url}/short`), { transport: network });
    expect(await readText(response.body)).toBe('{"ok":true}');
    expect(server.connections()).toBe(2);
  });
});

/** A proxy that answers every CONNECT with `status`, and every plain request with `plainStatus`. */
async function refusingProxy(status: number, plainStatus = 407): Promise<{ url: string; connects: () => number }> {
  let connects = 0;
  const server = createServer((_request, response) => {
    response.writeHead(plainStatus, { 'proxy-authenticate': 'Basic realm="p"' });
    response.end('no');
  });
  server.on('connect', (_request, socket: Socket) => {
    connects++;
    socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-length: 0\r\n\r\n`);
  });
  const { url } = await listen(server);
  return { url, connects: () => connects };
}

describe('a proxy that refuses', () => {
  it.each([407, 403, 502])('CONNECT answered %i: ProxyRefused, and one line naming the proxy without its password', async (status) => {
    const proxy = await refusingProxy(status);
    const proxyUrl = proxy.url.replace('http://', 'http://alice:s3cret@');
    const target = new URL('https://api.example.test/v1/x');
    const error = await httpRequest(target, { transport: transport({ HTTPS_PROXY: proxyUrl }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProxyRefused);
    expect((error as ProxyRefused).status).toBe(status);
    const failure = permanentNetworkError(error, target);
    expect(failure).toBeInstanceOf(TailError);
    expect(failure?.kind).toBe('proxy');
    expect(failure?.exitStatus).toBe(255);
    expect(failure?.message).toContain(`${proxy.url.replace('http://', 'http://alice:****@')} (from HTTPS_PROXY)`);
    expect(failure?.message).toContain(`with ${status}`);
    expect(failure?.message).not.toContain('s3cret');
    expect(proxy.connects()).toBe(1);
  });

  it('a 407 to a plain http:// request is the proxy refusing', async () => {
    const proxy = await refusingProxy(200, 407);
    const error = await httpRequest(new URL('http://api.example.test/v1/x'), { transport: transport({ http_proxy: proxy.url }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProxyRefused);
    expect(permanentNetworkError(error, new URL('http://api.example.test/'))?.message).toMatch(/refused the request to api\.example\.test with 407; check the user and password in http_proxy/);
  });
});

describe('permanentNetworkError', () => {
  const url = new URL('https://api.runloop.ai/v1/x');
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'is self-signed'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'is signed by an unknown CA'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'is signed by a CA that is not trusted'],
    ['CERT_HAS_EXPIRED', 'has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'is for another host'],
  ])('%s: one tls line naming the problem and NODE_EXTRA_CA_CERTS', (code, problem) => {
    const error = Object.assign(new Error("Host: evil\u001b]0;x\u0007. is not in the cert's altnames"), { code });
    const failure = permanentNetworkError(error, url);
    expect(failure?.kind).toBe('tls');
    expect(failure?.exitStatus).toBe(255);
    expect(failure?.message).toContain(`the TLS certificate of api.runloop.ai ${problem} (${code})`);
    expect(failure?.message).toContain('NODE_EXTRA_CA_CERTS');
    expect(failure?.message).not.toContain('\u001b'); // nothing the peer wrote
    expect(failure?.cause).toBeUndefined();
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EPROTO'])('%s stays transient', (code) => {
    expect(permanentNetworkError(Object.assign(new Error(code), { code }), url)).toBeUndefined();
  });
});

describe('a stream connection that cannot be trusted or is refused', () => {
  it('a certificate that does not verify ends the connection as failed (not retried), naming NODE_EXTRA_CA_CERTS', async () => {
    const { server: pair } = generateCertificates({ hosts: ['127.0.0.1'], selfSigned: true });
    const https = createHttpsServer({ cert: pair.cert, key: pair.key }, (_request, response) => response.end());
    https.on('tlsClientError', () => undefined);
    const { url } = await listen(https);
    const outcome = await openConnection({
      url: new URL(`${url.replace('http:', 'https:')}/v1/devboxes/d/executions/e/stream_stdout_updates?offset=0`),
      apiKey: 'k-123456',
      signal: new AbortController().signal,
      onChunk: () => undefined,
      onActivity: () => undefined,
      ready: () => undefined,
    });
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') {
      expect(outcome.error.kind).toBe('tls');
      expect(outcome.error.message).toMatch(/is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\).*NODE_EXTRA_CA_CERTS/);
    }
  });

  it('a refused CONNECT ends the connection as failed', async () => {
    const proxy = await refusingProxy(403);
    const outcome = await openConnection({
      url: new URL('https://api.example.test/v1/devboxes/d/executions/e/stream_stdout_updates?offset=0'),
      apiKey: 'k-123456',
      transport: transport({ HTTPS_PROXY: proxy.url }),
      signal: new AbortController().signal,
      onChunk: () => undefined,
      onActivity: () => undefined,
      ready: () => undefined,
    });
    expect(outcome).toMatchObject({ kind: 'failed', error: { kind: 'proxy', status: 403 } });
  });
});
