/**
 * An execution's stdout and stderr as files on disk. The child process writes to them directly
 * (they are its fds 1 and 2), so output never passes through this process's memory; readers take
 * it back in pieces.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamName } from '../api/wire.js';

/** The two output files of one execution. */
export class OutputFiles {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The file a stream is written to. */
  path(stream: StreamName): string {
    return join(this.dir, `${stream}.log`);
  }

  /** Creates both files and opens them for appending, for handing to a child process. */
  async openForChild(): Promise<Record<StreamName, FileHandle>> {
    const stdout = await open(this.path('stdout'), 'a');
    try {
      return { stdout, stderr: await open(this.path('stderr'), 'a') };
    } catch (error) {
      await stdout.close();
      throw error;
    }
  }

  /** The current size in bytes of a stream's file (0 if it does not exist yet). */
  async size(stream: StreamName): Promise<number> {
    try {
      return (await stat(this.path(stream))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /** Opens a stream's file for reading. */
  openForReading(stream: StreamName): Promise<FileHandle> {
    return open(this.path(stream), 'r');
  }

  /** The bytes in [start, end) of a stream (for tests and views: callers keep ranges small or bounded). */
  async read(stream: StreamName, start: number, end: number): Promise<Buffer> {
    const length = Math.max(0, end - start);
    if (length === 0) return Buffer.alloc(0);
    const handle = await this.openForReading(stream);
    try {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }
}
