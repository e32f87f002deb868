/**
 * Node built-ins loaded on first use. A follow of an http:// target needs none of TLS: loading
 * node:https loads tls and crypto, and crypto reads NODE_EXTRA_CA_CERTS (a whole CA bundle on many
 * machines) as it starts; zlib is only for a server that compresses against our Accept-Encoding.
 * Measured on a follow of a small execution: 216 modules loaded against 93 for `node -e 0`, about
 * a third of them for TLS, crypto, zlib and the proxy agents (BENCHMARKS.md, start-up of a follow).
 * createRequire loads a built-in synchronously, so callers keep their synchronous shape.
 */
import { createRequire } from 'node:module';

// Any absolute path will do to load a built-in; this one exists in every format the code is
// bundled to (import.meta.url does not in CommonJS, __filename does not in ES modules).
const require = createRequire(process.execPath);

let https: typeof import('node:https') | undefined;
let zlib: typeof import('node:zlib') | undefined;

/** node:https, loaded the first time it is asked for. */
export function httpsModule(): typeof import('node:https') {
  return (https ??= require('node:https') as typeof import('node:https'));
}

/** node:zlib, loaded the first time it is asked for. */
export function zlibModule(): typeof import('node:zlib') {
  return (zlib ??= require('node:zlib') as typeof import('node:zlib'));
}
