/**
 * `--save DIR`: each followed stream written to `DIR/<execution>.stdout` / `.stderr` as its bytes
 * arrive (a synchronous write per piece, so a crash loses only what was not yet received), and
 * `DIR/<execution>.json` saying what was saved and where a rerun resumes (see save-state.ts).
 */
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { TailError, oneLine } from '../errors.js';
import type { OutputSink, StreamName } from '../stream/types.js';
import { hasReplacement } from '../stream/replaced-text.js';
import {
  earlierResume,
  earlierStart,
  pieceArrives,
  piecesPlaced,
  renderSummary,
  resumeStream,
  saveBaseName,
  type SavedPoint,
  type SavedStream,
  type SaveSummary,
} from './save-state.js';

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
  /** Where each stream resumes: its recorded point, else the size of its file (0 for a stream not followed). */
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
  const summaryPath = join(dir, `${base}.json`);
  let previous: string | undefined;
  try {
    previous = readFileSync(summaryPath, 'utf8');
  } catch {
    previous = undefined; // a first run, or a summary we cannot read: start afresh
  }
  // A stream not followed this time keeps the point an earlier run recorded for it.
  const recorded = earlierResume(previous);
  const saved: Record<StreamName, SavedStream | undefined> = { stdout: undefined, stderr: undefined };
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
      const size = fstatSync(fd).size;
      const state = resumeStream(size, recorded[stream]);
      if (state === undefined) {
        throw new TailError(
          'usage',
          `--save ${JSON.stringify(dir)}: ${base}.${stream} holds ${size} bytes but ${base}.json says ${recorded[stream]?.bytes} were saved; it was changed since: move the files of ${target.executionId} away to start afresh`,
        );
      }
      // What came after the recorded point was written but not yet placed: it is fetched again.
      if (state.size < size) ftruncateSync(fd, state.size);
      saved[stream] = state;
    }
  } catch (error) {
    closeAll();
    if (error instanceof TailError) throw error;
    throw new TailError('usage', `--save ${JSON.stringify(dir)}: cannot open the files of ${target.executionId} (${describe(error)})`);
  }
  const startedAt = earlierStart(previous) ?? now().toISOString();
  const point = (stream: StreamName): SavedPoint | null => {
    const state = saved[stream];
    if (state === undefined) return recorded[stream];
    return state.tracked ? state.settled : null;
  };

  const writeSummary = (status: SaveSummary['status'], exitStatus: number | null) => {
    const summary: SaveSummary = {
      devbox_id: target.devboxId,
      execution_id: target.executionId,
      status,
      exit_status: exitStatus,
      stdout_bytes: saved.stdout?.size ?? 0,
      stderr_bytes: saved.stderr?.size ?? 0,
      missing_bytes: missingBytes,
      resume: { stdout: point('stdout'), stderr: point('stderr') },
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
    const state = saved[stream];
    if (fd === undefined || state === undefined) return;
    const arrived = pieceArrives(state, { offset, length: bytes.length, replaced: hasReplacement(bytes) });
    try {
      if (arrived.padding > 0) {
        writeAll(fd, Buffer.alloc(arrived.padding));
        missingBytes += arrived.padding;
      }
      // The point before the first piece holding U+FFFD is on disk before the piece is.
      if (arrived.record) {
        saved[stream] = { ...arrived.state, size: state.size + arrived.padding };
        writeSummary('following', null);
      }
      writeAll(fd, bytes);
      saved[stream] = arrived.state;
    } catch (error) {
      fail(error);
    }
  };
  const placed = (stream: StreamName, position: number, unplaced: number) => {
    const state = saved[stream];
    if (fds[stream] === undefined || state === undefined) return;
    const next = piecesPlaced(state, position, unplaced);
    saved[stream] = next.state;
    // After the bytes it covers were written: a recorded point is never ahead of the file.
    if (!next.record) return;
    try {
      writeSummary('following', null);
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
    offsets: { stdout: saved.stdout?.settled.offset ?? 0, stderr: saved.stderr?.settled.offset ?? 0 },
    tee: (inner) => ({
      write(stream, bytes, offset) {
        save(stream, bytes, offset);
        inner.write(stream, bytes, offset);
      },
      placed(stream, position, unplaced) {
        placed(stream, position, unplaced);
        inner.placed?.(stream, position, unplaced);
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
