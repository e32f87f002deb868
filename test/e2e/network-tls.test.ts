/**
 * HTTPS end to end: the CLI against the emulator over TLS, trusting its generated CA through
 * NODE_EXTRA_CA_CERTS; and certificates that must not be trusted (self-signed, unknown CA,
 * expired, another host) end in one line and 255 after exactly one connection attempt.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { generateCertificates, type ServerCertificates } from '../../src/emulator/certificate.js';
import { baseEnv, runCli } from '../helpers/run-cli.js';
import { localServerForFile } from '../helpers/local-server.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const local = localServerForFile({ start: { tls: true } });
const dir = tempDirForFile('rt-tls-');

describe('HTTPS with the generated CA trusted', () => {
  it('serves https:// and names a CA file', () => {
    expect(local.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(local.server.caFile).toBeDefined();
    expect(local.server.ca).toContain('BEGIN CERTIFICATE');
  });

  it('exec follows a command byte for byte and exits with its status', async () => {
    const env = local.env({ NODE_EXTRA_CA_CERTS: local.server.caFile });
    const result = await runCli(['exec', 'dbx_local', '--', "printf 'out é\\n'; printf 'err €\\n' >&2; exit 3"], { env });
    expect(result.stdout.toString('utf8')).toBe('out é\n');
    expect(result.stderr.toString('utf8')).toBe('err €\n');
    expect(result.status).toBe(3);
  });

  it('without NODE_EXTRA_CA_CERTS: one line, 255', async () => {
    const env = local.env();
    const result = await runCli(['exec', 'dbx_local', '--', 'echo never'], { env });
    const lines = result.stderr.toString('utf8').trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^runloop-tail: the TLS certificate of 127\.0\.0\.1:\d+ is signed by an unknown CA .*NODE_EXTRA_CA_CERTS/)]);
    expect(result.status).toBe(255);
  });
});

/** An HTTPS server with a given certificate that counts TCP connections (each is an attempt). */
async function badServer(certificates: ServerCertificates): Promise<{ url: string; attempts: () => number; close: () => Promise<void> }> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const https = createServer({ cert: certificates.server.cert, key: certificates.server.key }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  https.on('connection', (socket: Socket) => {
    attempts++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  https.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(https.address() as AddressInfo).port}`,
    attempts: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        https.close(() => resolve());
      }),
  };
}

describe('certificates that must not be trusted: one line, 255, no retries', () => {
  const past = new Date(Date.now() - 10 * 86400_000);
  const cases: { name: string; make: () => ServerCertificates; trustCa: boolean; problem: RegExp }[] = [
    { name: 'self-signed', make: () => generateCertificates({ hosts: ['127.0.0.1'], selfSigned: true }), trustCa: false, problem: /is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/ },
    { name: 'unknown CA', make: () => generateCertificates({ hosts: ['127.0.0.1'] }), trustCa: false, problem: /is signed by an unknown CA/ },
    {
      name: 'expired',
      make: () => generateCertificates({ hosts: ['127.0.0.1'], notBefore: new Date(past.getTime() - 86400_000), notAfter: past }),
      trustCa: true,
      problem: /has expired \(CERT_HAS_EXPIRED\)/,
    },
    { name: 'another host', make: () => generateCertificates({ hosts: ['api.example.test'] }), trustCa: true, problem: /is for another host \(ERR_TLS_CERT_ALTNAME_INVALID\)/ },
  ];

  it.each(cases)('$name', async ({ name, make, trustCa, problem }) => {
    const certificates = make();
    const caFile = join(dir, `${name.replace(/\W/g, '-')}.pem`);
    writeFileSync(caFile, certificates.ca.cert);
    const bad = await badServer(certificates);
    try {
      const env = baseEnv({ RUNLOOP_API_KEY: 'k-123456', RUNLOOP_BASE_URL: bad.url, ...(trustCa ? { NODE_EXTRA_CA_CERTS: caFile } : {}) });
      const result = await runCli(['dbx_local', 'exn_1', '--max-retries', '5'], { env });
      const lines = result.stderr.toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^runloop-tail: the TLS certificate of 127\.0\.0\.1:\d+ /);
      expect(lines[0]).toMatch(problem);
      expect(lines[0]).toContain('NODE_EXTRA_CA_CERTS');
      expect(result.status).toBe(255);
      expect(result.stdout.length).toBe(0);
      expect(bad.attempts()).toBe(1);
    } finally {
      await bad.close();
    }
  });
});
