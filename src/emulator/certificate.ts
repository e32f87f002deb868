/**
 * X.509 certificates for the emulator's HTTPS, made in-process: `serve --tls` must work where no
 * openssl binary is installed (CI images), and node:crypto signs but cannot build a certificate.
 * This writes the few DER structures a TLS server certificate needs (RFC 5280): a private CA and
 * a server certificate it signs, both ECDSA P-256 with SHA-256. Not a general ASN.1 library.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** PEM texts of one certificate and its private key. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** A generated CA and a server certificate it signed. */
export interface ServerCertificates {
  /** The CA certificate to trust (e.g. with NODE_EXTRA_CA_CERTS). */
  readonly ca: CertificatePair;
  /** The server's certificate and key (pass to https.createServer). */
  readonly server: CertificatePair;
}

export interface CertificateOptions {
  /** Host names and IP addresses the server certificate is valid for. */
  readonly hosts: readonly string[];
  /** Default: an hour ago (clocks of a test machine may differ a little). */
  readonly notBefore?: Date;
  /** Default: 30 days after now. */
  readonly notAfter?: Date;
  /** Sign the server certificate with this CA instead of a new one (e.g. to make one for another host). */
  readonly issuer?: CertificatePair;
  /** The server certificate signs itself (no CA): what "self-signed" means to a TLS client. */
  readonly selfSigned?: boolean;
}

// --- DER (ITU-T X.690), only the forms used below ---

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let head: Buffer;
  if (length < 0x80) head = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, content]);
}

const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const explicit = (n: number, item: Buffer) => der(0xa0 + n, item);
const octets = (content: Buffer) => der(0x04, content);
const bits = (content: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), content]));
const boolean = (value: boolean) => der(0x01, Buffer.from([value ? 0xff : 0]));
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));

/**
 * A non-negative DER INTEGER from big-endian bytes, in its one minimal form: leading zero bytes
 * dropped (a random serial starting with 0x00 and then a byte below 0x80 is "illegal padding" to
 * OpenSSL: 1 certificate in 512 failed that way), then one zero put back where a leading 1 bit
 * would make it negative.
 */
export function derInteger(content: Buffer): Buffer {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  const minimal = content.subarray(start);
  return der(0x02, (minimal[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal.length === 0 ? Buffer.from([0]) : minimal);
}

function oid(text: string): Buffer {
  const [first = 0, second = 0, ...rest] = text.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift((value & 0x7f) | (groups.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  return year < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value));
}

function altNames(hosts: readonly string[]): Buffer {
  const names = hosts.map((host) => {
    const bare = host.replace(/^\[|\]$/g, '');
    const version = isIP(bare);
    if (version === 4) return der(0x87, Buffer.from(bare.split('.').map(Number)));
    if (version === 6) return der(0x87, ipv6Bytes(bare));
    return der(0x82, Buffer.from(host, 'ascii'));
  });
  return sequence(...names);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  all.forEach((group, index) => out.writeUInt16BE(parseInt(group, 16), index * 2));
  return out;
}

function issue(options: {
  subject: string;
  issuerName: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  ca: boolean;
  hosts: readonly string[];
  notBefore: Date;
  notAfter: Date;
}): string {
  const serial = randomBytes(16);
  const extensions = [extension('2.5.29.19', true, sequence(...(options.ca ? [boolean(true)] : [])))];
  if (options.hosts.length > 0) extensions.push(extension('2.5.29.17', false, altNames(options.hosts)));
  const tbs = sequence(
    explicit(0, derInteger(Buffer.from([2]))), // v3
    derInteger(serial),
    ECDSA_WITH_SHA256,
    name(options.issuerName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.subject),
    options.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, options.signingKey); // ECDSA-Sig-Value, DER
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bits(signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function newKey(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Makes a server certificate for `hosts`, signed by a new CA (or by `issuer`, or by itself).
 * The names of the CA and server are fixed: clients check the chain and the host names, not them.
 */
export function generateCertificates(options: CertificateOptions): ServerCertificates {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 3600_000);
  const notAfter = options.notAfter ?? new Date(now + 30 * 86400_000);
  const serverKey = newKey();
  const subject = 'runloop-tail local server';
  if (options.selfSigned === true) {
    const cert = issue({ subject, issuerName: subject, publicKey: serverKey.publicKey, signingKey: serverKey.privateKey, ca: false, hosts: options.hosts, notBefore, notAfter });
    const pair = { cert, key: pem(serverKey.privateKey) };
    return { ca: pair, server: pair };
  }
  const caName = 'runloop-tail local CA';
  let ca: CertificatePair;
  let caKey: KeyObject;
  if (options.issuer !== undefined) {
    ca = options.issuer;
    caKey = createPrivateKey(options.issuer.key);
  } else {
    const key = newKey();
    caKey = key.privateKey;
    ca = {
      cert: issue({ subject: caName, issuerName: caName, publicKey: key.publicKey, signingKey: caKey, ca: true, hosts: [], notBefore, notAfter }),
      key: pem(caKey),
    };
  }
  const cert = issue({ subject, issuerName: caName, publicKey: serverKey.publicKey, signingKey: caKey, ca: false, hosts: options.hosts, notBefore, notAfter });
  return { ca, server: { cert, key: pem(serverKey.privateKey) } };
}
