/**
 * Loads dist/cli.cjs for dist/entry.cjs without one large malloc'd block, so that glibc's malloc
 * keeps returning freed memory to the system for the rest of the process.
 *
 * Why: require() reads a file into one C++ string that doubles as it grows; for the 320 KB CLI
 * that ends in a 516 KiB block, above malloc's 128 KiB mmap threshold, so it is mmap'd. Freeing a
 * mmap'd block makes glibc raise its thresholds to that block's size (mmap threshold 516 KiB, trim
 * threshold twice that) for good: from then on neither the main heap nor the arenas of V8's worker
 * threads (where TurboFan compiles) give memory back until a megabyte of it is free at their top.
 * Read in 64 KiB pieces, no block reaches the threshold (checked with strace: no munmap from
 * ReadFileUtf8 any more). Measured (peak RSS, `/usr/bin/time`, medians of 5 alternated runs):
 * 1 GiB follow 57.9 → 55.9 MiB, 128 MiB 57.4 → 56.6 MiB; the worker arenas hold ~0.8 MiB at the
 * end instead of 2.3-2.8. `MALLOC_TRIM_THRESHOLD_=131072` in the environment, which also turns the
 * raising off, gave the same.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { compileFunction } from 'node:vm';

/** Below malloc's 128 KiB mmap threshold. */
export const PIECE_BYTES = 64 * 1024;

/** A UTF-8 text file's content, read `pieceBytes` at a time (a character may span two pieces). */
export function readTextInPieces(file: string, pieceBytes: number = PIECE_BYTES): string {
  const fd = openSync(file, 'r');
  const piece = Buffer.allocUnsafeSlow(pieceBytes);
  const decoder = new StringDecoder('utf8');
  let text = '';
  try {
    for (let read = readSync(fd, piece, 0, pieceBytes, null); read > 0; read = readSync(fd, piece, 0, pieceBytes, null)) {
      text += decoder.write(piece.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return text + decoder.end();
}

/**
 * Runs a CommonJS file the way require() does (the same wrapper and arguments; its own require()
 * resolves next to it) and returns its exports. It is not entered in require's cache: a file loaded
 * this way is loaded once, by its one caller.
 */
export function requireInPieces(file: string): unknown {
  const module = { exports: {} as unknown };
  const wrapper = compileFunction(readTextInPieces(file), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}
