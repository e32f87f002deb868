/**
 * A small HTTP/1.1 client on node:http(s). Node's fetch (undici) costs start-up time and reads
 * response bodies several times slower than the socket delivers them; log streams are exactly
 * where that shows.
 */
import { request as httpRequestRaw, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { formatDuration } from '../duration.js';
import { ProxyRefused } from './errors.js';
import { httpsModule } from './builtins.js';
import { directTransport, type Route, type Transport } from './transport.js';
import { sharedReadOption } from './read-buffer.js';
import { armTap, claimBody, disarmTap, type BodyTap } from './body-tap.js';

export interface HttpRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Chooses the agent and proxy; default: direct connections, no proxy. */
  readonly transport?: Transport;
  /** Give up (reject with {@link ResponseTimeout}) when the response head has not arrived by then. */
  readonly headTimeoutMs?: number;
  /**
   * Read a 200 response's chunked, uncompressed body off the socket (body-tap.ts) instead of
   * through node:http: the response then has a `tap`, and its `body` gives no data, only 'error'
   * and 'close' when the connection breaks.
   */
  readonly tapBody?: boolean;
}

/** The response head did not arrive within the request's time-out. */
export class ResponseTimeout extends Error {
  override readonly name = 'ResponseTimeout';
  constructor(ms: number) {
    super(`no response within ${formatDuration(ms)}`);
  }
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
  /** The body read off the socket, when the request asked for it and it could be (see HttpRequest.tapBody). */
  readonly tap?: BodyTap;
}

/** Whether a response's body can be read by a tap: 200, chunked, not compressed. */
function tappable(res: IncomingMessage): boolean {
  const coding = res.headers['transfer-encoding'];
  const encoding = res.headers['content-encoding'];
  return (
    res.statusCode === 200 &&
    typeof coding === 'string' &&
    coding.trim().toLowerCase() === 'chunked' &&
    (encoding === undefined || encoding.trim().toLowerCase() === 'identity')
  );
}

/**
 * Sends a request and resolves once the response head has arrived. Rejects with ProxyRefused when
 * the proxy refused it (a CONNECT answered with anything but 200, or a 407); ProxySettingError
 * for an unusable proxy setting; otherwise with the socket's error.
 */
export function httpRequest(url: URL, options: HttpRequest = {}): Promise<HttpResponse> {
  return (options.transport ?? directTransport).route(url).then((route) => send(url, route, options));
}

function send(url: URL, route: Route, options: HttpRequest): Promise<HttpResponse> {
  const request = url.protocol === 'https:' ? httpsModule().request : httpRequestRaw;
  return new Promise((resolve, reject) => {
    const proxy = route.proxy;
    // https-proxy-agent hands a refused CONNECT's answer to http as if the target had sent it.
    let refusedTunnel: number | undefined;
    // Bodies are read as they are sent (a compressed one anyway is decoded: content-encoding.ts).
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...options.headers };
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    // Abort by hand rather than with http's `signal` option: that destroys the socket with an
    // AbortError that nobody may be listening for once the response has been read.
    const req = request(url, { method: options.method ?? 'GET', headers, agent: route.agent, ...sharedReadOption }, (res) => {
      clearTimeout(headTimer);
      res.on('error', () => {}); // readers see errors through their own iteration
      const status = res.statusCode ?? 0;
      // 407 is only ever a proxy's; through a tunnel, the proxy's answer is the CONNECT's.
      const refused = proxy === undefined ? undefined : (refusedTunnel ?? (status === 407 ? status : undefined));
      // Claimed (or let go) here, within the head's parsing: see body-tap.ts.
      const tap = options.tapBody === true ? claimBody(res.socket, refused === undefined && tappable(res)) : undefined;
      if (proxy !== undefined && refused !== undefined) {
        res.destroy();
        reject(new ProxyRefused(proxy.url, proxy.variable, refused, url));
        return;
      }
      resolve({ status, headers: res.headers, body: res, tap });
    });
    // A kept-alive socket may carry a tap from an earlier request: each request arms or disarms it.
    req.on('socket', (socket) => (options.tapBody === true ? armTap(socket) : disarmTap(socket)));
    req.once('proxyConnect', (connect: { statusCode?: number }) => {
      if (connect.statusCode !== 200) refusedTunnel = connect.statusCode ?? 0;
    });
    // A server that accepts the connection and never answers must not hold us: the time-out runs
    // from the request to the response head (the body's pace is the reader's business).
    const headTimer =
      options.headTimeoutMs === undefined ? undefined : setTimeout(() => req.destroy(new ResponseTimeout(options.headTimeoutMs ?? 0)), options.headTimeoutMs);
    const signal = options.signal;
    const onAbort = () => {
      req.destroy();
      reject(signal?.reason ?? new Error('aborted'));
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => {
      clearTimeout(headTimer);
      signal?.removeEventListener('abort', onAbort);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Reads a (small) response body as text: at most `limit` bytes, the rest is not read (the
 * connection is dropped), so an endless or huge error body costs neither memory nor time. With
 * `timeoutMs`, a body still arriving after that long is cut (rejects).
 */
export async function readText(body: Readable, limit = 64 * 1024, timeoutMs?: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => body.destroy(new ResponseTimeout(timeoutMs)), timeoutMs);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk.subarray(0, limit - size));
      size += Math.min(chunk.length, limit - size);
      if (size >= limit) {
        body.destroy();
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The value of a header that may repeat. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
