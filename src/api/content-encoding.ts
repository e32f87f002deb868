/**
 * Response bodies a server compressed although every request asks for `Accept-Encoding: identity`
 * (a proxy or CDN may do it anyway): gzip, deflate and br are decoded with node:zlib, anything else
 * is refused with one line. Never read as an empty or garbled stream.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { zlibModule } from './builtins.js';

/** The header value every request carries. */
export const ACCEPT_IDENTITY = 'identity';

/** A body compressed in a way runloop-tail cannot read. */
export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

/** The encodings of a Content-Encoding header, first applied first; `identity` and empty parts dropped. */
export function contentEncodings(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '' && part !== 'identity');
}

function decoderFor(encoding: string): NodeJS.ReadWriteStream {
  const { createBrotliDecompress, createGunzip, constants } = zlibModule();
  // Flushing on every piece keeps a live stream live: without it zlib may sit on output it has.
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH });
    case 'deflate':
      return new DeflateEither();
    case 'br':
      return createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH });
    default:
      throw new UnsupportedEncodingError(`the response is compressed with "${encoding.slice(0, 40)}", which runloop-tail cannot read`);
  }
}

/**
 * `deflate` is meant to be zlib-wrapped (RFC 9110), but servers have long sent raw deflate too:
 * the first byte tells (a zlib header's low nibble is 8, deflate's compression method).
 */
class DeflateEither extends Transform {
  private inner: (NodeJS.ReadWriteStream & Readable) | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      const { createInflate, createInflateRaw, constants } = zlibModule();
      const options = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
      const inner = (chunk.length > 0 && ((chunk[0] ?? 0) & 0x0f) === 8 ? createInflate(options) : createInflateRaw(options)) as NodeJS.ReadWriteStream & Readable;
      inner.on('data', (data: Buffer) => this.push(data));
      inner.on('error', (error) => this.destroy(error));
      this.inner = inner;
    }
    this.inner.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (this.inner === undefined) return callback();
    this.inner.once('end', () => callback());
    this.inner.end();
  }
}

/**
 * The body to read: `body` itself, or `body` through the decoders its Content-Encoding names.
 * Throws UnsupportedEncodingError for an encoding it cannot decode. Errors of the body reach the
 * returned stream.
 */
export function decodedBody(body: Readable, header: string | undefined): Readable {
  const encodings = contentEncodings(header);
  if (encodings.length === 0) return body;
  const decoders = encodings.reverse().map(decoderFor); // the last applied is undone first
  let current: Readable = body;
  for (const decoder of decoders) {
    const source = current;
    source.on('error', (error) => (decoder as unknown as Readable).destroy(error));
    current = source.pipe(decoder) as unknown as Readable;
  }
  return current;
}
