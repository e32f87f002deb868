/**
 * Before starting a command whose stdin is a regular file: is the whole file UTF-8? Read with
 * positioned reads, so the descriptor's own position (where forwarding will read from) stays put.
 */
import { fstat, read } from 'node:fs';
import { promisify } from 'node:util';
import { StdinPieces } from './pieces.js';

const fstatAsync = promisify(fstat);
const readAsync = promisify(read);

/** For a regular file on `fd`: the offset of its first byte that is not UTF-8; undefined when it all is, or `fd` is no file. */
export async function firstNonUtf8ByteOfFile(fd: number): Promise<number | undefined> {
  let stats;
  try {
    stats = await fstatAsync(fd);
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return undefined;
  const pieces = new StdinPieces(1024 * 1024);
  const buffer = Buffer.alloc(1024 * 1024);
  for (let position = 0; ; ) {
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) return pieces.end().invalidAt;
    const invalidAt = pieces.push(buffer.subarray(0, bytesRead)).invalidAt;
    if (invalidAt !== undefined) return invalidAt;
    position += bytesRead;
  }
}
