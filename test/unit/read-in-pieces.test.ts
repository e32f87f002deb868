import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PIECE_BYTES, readTextInPieces, requireInPieces } from '../../src/read-in-pieces.js';

const folder = mkdtempSync(path.join(tmpdir(), 'read-in-pieces-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const at = path.join(folder, name);
  writeFileSync(at, text);
  return at;
}

describe('readTextInPieces: the same text as readFileSync, whatever the pieces', () => {
  // é is 2 bytes, € 3, 😀 4: with pieces of 1 to 7 bytes every character is cut somewhere.
  const text = `plain ascii, é, €, 😀 and more: ${'x€é😀'.repeat(50)}`;
  it.each([1, 2, 3, 5, 7, 64, PIECE_BYTES])('pieces of %i bytes', (pieceBytes) => {
    const at = file(`text-${pieceBytes}.txt`, text);
    expect(readTextInPieces(at, pieceBytes)).toBe(readFileSync(at, 'utf8'));
  });

  it('an empty file, and one longer than a piece', () => {
    expect(readTextInPieces(file('empty.txt', ''))).toBe('');
    const long = 'abcdefgh'.repeat((PIECE_BYTES * 3) / 8 + 5);
    expect(readTextInPieces(file('long.txt', long))).toBe(long);
  });

  it('a missing file throws as readFileSync does', () => {
    expect(() => readTextInPieces(path.join(folder, 'missing.txt'))).toThrow(/ENOENT/);
  });
});

describe('requireInPieces: a CommonJS file run as require() runs it', () => {
  it('module.exports, exports, __filename, __dirname, this, and its own require() next to it', () => {
    file('helper.cjs', "module.exports = 'from the helper';");
    const at = file(
      'main.cjs',
      "exports.name = __filename; exports.dir = __dirname; exports.self = this === exports; exports.helper = require('./helper.cjs'); exports.path = require('node:path').sep;",
    );
    expect(requireInPieces(at)).toEqual({ name: at, dir: folder, self: true, helper: 'from the helper', path: path.sep });
  });

  it('module.exports replaced', () => {
    const loaded = requireInPieces(file('replaced.cjs', 'module.exports = { main: () => 42 };')) as { main: () => number };
    expect(loaded.main()).toBe(42);
  });

  it('an error thrown names the file in its stack', () => {
    const at = file('throws.cjs', "throw new Error('loaded');");
    let thrown: unknown;
    try {
      requireInPieces(at);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).toBe('loaded');
    expect((thrown as Error).stack).toContain(at);
  });
});
