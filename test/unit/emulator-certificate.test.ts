import { describe, expect, it } from 'vitest';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { derInteger, generateCertificates } from '../../src/emulator/certificate.js';

describe('generateCertificates', () => {
  it('makes a CA and a server certificate for every host and address it is given', () => {
    const { ca, server } = generateCertificates({ hosts: ['localhost', '127.0.0.1', '::1', 'api.example.test'] });
    const caCert = new X509Certificate(ca.cert);
    const cert = new X509Certificate(server.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('api.example.test')).toBe('api.example.test');
    expect(cert.checkHost('other.example.test')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkIP('127.0.0.2')).toBeUndefined();
    expect(cert.checkPrivateKey(createPrivateKey(server.key))).toBe(true);
  });

  it('honours the validity period, with GeneralizedTime from 2050', () => {
    const notBefore = new Date('2020-01-02T03:04:05Z');
    const notAfter = new Date('2051-06-07T08:09:10Z');
    const cert = new X509Certificate(generateCertificates({ hosts: ['localhost'], notBefore, notAfter }).server.cert);
    expect(new Date(cert.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(cert.validTo).toISOString()).toBe(notAfter.toISOString());
  });

  it('self-signed: the server certificate is its own issuer', () => {
    const { ca, server } = generateCertificates({ hosts: ['localhost'], selfSigned: true });
    expect(ca).toEqual(server);
    const cert = new X509Certificate(server.cert);
    expect(cert.checkIssued(cert)).toBe(true);
  });

  it('signs with a given CA', () => {
    const first = generateCertificates({ hosts: ['localhost'] });
    const second = generateCertificates({ hosts: ['api.example.test'], issuer: first.ca });
    expect(second.ca).toBe(first.ca);
    expect(new X509Certificate(second.server.cert).verify(new X509Certificate(first.ca.cert).publicKey)).toBe(true);
  });
});

describe('derInteger', () => {
  // The minimal two's-complement form DER asks for; a serial drawn as 16 random bytes may start
  // with zeros (OpenSSL refused such a certificate: "illegal padding", 1 in 512).
  it.each<[string, number[], number[]]>([
    ['small', [2], [0x02, 0x01, 0x02]],
    ['zero', [0], [0x02, 0x01, 0x00]],
    ['all zeros', [0, 0, 0], [0x02, 0x01, 0x00]],
    ['a leading 1 bit gets a zero byte', [0x80, 0x01], [0x02, 0x03, 0x00, 0x80, 0x01]],
    ['a leading zero before a low byte is dropped', [0x00, 0x12, 0x34], [0x02, 0x02, 0x12, 0x34]],
    ['a leading zero before a high byte is kept', [0x00, 0x92], [0x02, 0x02, 0x00, 0x92]],
    ['several leading zeros before a high byte leave one', [0x00, 0x00, 0xff], [0x02, 0x02, 0x00, 0xff]],
  ])('%s', (_name, content, encoded) => {
    expect([...derInteger(Buffer.from(content))]).toEqual(encoded);
  });
});
