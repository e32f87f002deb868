/**
 * `--save DIR`: each followed stream written to `DIR/<execution>.stdout` / `.stderr` as its bytes
 * arrive (a synchronous write per piece, so a crash loses only what was not yet received), and
 * `DIR/<execution>.json` saying what was saved. The files' sizes are where a rerun resumes.
 */
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TailError, oneLine } from '../errors.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { earlierStart, paddingBefore, renderSummary, saveBaseName, type SaveSummary } from './save-state.js';

/** Files are created rw-r--r-- (less if the umask says so), the directory rwxr-xr-x. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

const describe = (error: unknown) => oneLine((error as NodeJS.ErrnoException).code ?? error);

/**
 * Creates DIR if missing and checks that files can be created in it. Throws a usage error (exit 2)
 * in one line: called before anything is contacted.
 */
export function prepareSaveDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new TailError('usage', `--save ${JSON.stringify(dir)}: cannot write there (${describe(error)}); give a directory you can write to`);
  }
}

export interface SaveTarget {
  readonly devboxId: string;
  readonly executionId: string;
}

export interface SaveFiles {
  /** Where each stream resumes: the size of its file (0 for a stream not followed). */
  readonly offsets: Record<StreamName, number>;
  /** A sink that writes every piece to its file, then hands it on. */
  tee(inner: OutputSink): OutputSink;
  /** Every stream was drained: the summary says completed, with the exit status. */
  complete(exitStatus: number | null): void;
  /** The first write that failed, if one did (the files stop there; the follow goes on). */
  readonly failure: string | undefined;
  /** Closes the files (the summary stays as last written). */
  close(): void;
}

export interface SaveOptions {
  readonly now?: () => Date;
  /** Told once, when a write fails. */
  readonly onFailure?: (message: string) => void;
}

/** Opens (or reopens, to resume) the files of an execution in a prepared DIR. Throws TailError('usage'). */
export function openSaveFiles(dir: string, target: SaveTarget, streams: readonly StreamName[], options: SaveOptions = {}): SaveFiles {
  const now = options.now ?? (() => new Date());
  const base = saveBaseName(target.executionId);
  if (base === undefined) throw new TailError('usage', `--save: the execution id is too long to name a file (${target.executionId.length} characters)`);
  const fds: Partial<Record<StreamName, number>> = {};
  const sizes: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  // Where the next piece of each stream is expected to start (see paddingBefore).
  const expected: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  const summaryPath = join(dir, `${base}.json`);
  let failure: string | undefined;
  let missingBytes = 0;
  const closeAll = () => {
    for (const stream of Object.keys(fds) as StreamName[]) {
      const fd = fds[stream];
      delete fds[stream];
      if (fd !== undefined) closeSync(fd);
    }
  };
  try {
    for (const stream of streams) {
      const fd = openSync(join(dir, `${base}.${stream}`), 'a', FILE_MODE);
      fds[stream] = fd;
      sizes[stream] = fstatSync(fd).size;
      expected[stream] = sizes[stream];
    }
  } catch (error) {
    closeAll();
    throw new TailError('usage', `--save ${JSON.stringify(dir)}: cannot open the files of ${target.executionId} (${describe(error)})`);
  }
  let previous: string | undefined;
  try {
    previous = readFileSync(summaryPath, 'utf8');
  } catch {
    previous = undefined; // a first run, or a summary we cannot read: start afresh
  }
  const startedAt = earlierStart(previous) ?? now().toISOString();

  const writeSummary = (status: SaveSummary['status'], exitStatus: number | null) => {
    const summary: SaveSummary = {
      devbox_id: target.devboxId,
      execution_id: target.executionId,
      status,
      exit_status: exitStatus,
      stdout_bytes: sizes.stdout,
      stderr_bytes: sizes.stderr,
      missing_bytes: missingBytes,
      started_at: startedAt,
      ended_at: status === 'completed' ? now().toISOString() : null,
    };
    // Written aside and renamed, so a reader never sees half a summary.
    const temporary = `${summaryPath}.${process.pid}.tmp`;
    writeFileSync(temporary, renderSummary(summary), { mode: FILE_MODE });
    renameSync(temporary, summaryPath);
  };
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = `--save stopped writing ${dir}: ${describe(error)}; the files hold what came before`;
    closeAll();
    options.onFailure?.(failure);
  };
  const save = (stream: StreamName, bytes: Buffer, offset: number) => {
    const fd = fds[stream];
    if (fd === undefined) return;
    const padding = paddingBefore(expected[stream], offset);
    expected[stream] = offset + bytes.length;
    try {
      if (padding > 0) {
        writeAll(fd, Buffer.alloc(padding));
        missingBytes += padding;
        sizes[stream] += padding;
      }
      writeAll(fd, bytes);
      sizes[stream] += bytes.length;
    } catch (error) {
      fail(error);
    }
  };

  try {
    writeSummary('following', null);
  } catch (error) {
    closeAll();
    throw new TailError('usage', `--save ${JSON.stringify(dir)}: cannot write ${base}.json (${describe(error)})`);
  }

  return {
    offsets: { ...sizes },
    tee: (inner) => ({
      write(stream, bytes, offset) {
        save(stream, bytes, offset);
        inner.write(stream, bytes, offset);
      },
      ready: (stream) => inner.ready(stream),
      flush: () => inner.flush?.(),
      connected: (stream, connected) => inner.connected?.(stream, connected),
      end: (stream) => inner.end(stream),
      close: () => inner.close(),
    }),
    complete(exitStatus) {
      if (failure !== undefined) return;
      try {
        writeSummary('completed', exitStatus);
      } catch (error) {
        fail(error);
      }
    },
    get failure() {
      return failure;
    },
    close: closeAll,
  };
}

/** writeSync until every byte is written (a regular file may take fewer at once). */
function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}
