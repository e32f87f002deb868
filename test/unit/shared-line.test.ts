/**
 * The terminal row two streams and our notes share: a writer's text never overwrites or splices
 * into another writer's unfinished row (a CR progress line, a partial line): it is cleared and
 * redrawn around the other's lines, or finished with a newline when it cannot be cleared exactly.
 * A table of write sequences, and the screen they leave (through a tiny terminal model).
 */
import { describe, expect, it } from 'vitest';
import { createSharedLine, rowWidth } from '../../src/output/shared-line.js';
import { screenOf } from '../helpers/terminal-screen.js';

/** Writes each [writer, text] through the shared line and returns everything written. */
function play(writes: readonly (readonly [string, string])[], columns = 80): string {
  const line = createSharedLine(() => columns);
  return writes.map(([writer, text]) => {
    const around = line.around(writer, text);
    return around.before + text + around.after;
  }).join('');
}

describe('rowWidth', () => {
  it.each([
    ['', 0],
    ['42%', 3],
    ['\x1b[31m42%\x1b[39m', 3],
    ['10%\r100%\r', 4],
    ['é', 2], // beyond ASCII counts double: errs wide
    ['a\tb', undefined],
    ['\x1b[2Aup', undefined],
    ['\x08', undefined],
  ])('%j → %s', (row, width) => {
    expect(rowWidth(row)).toBe(width);
  });
});

describe('createSharedLine', () => {
  it.each([
    {
      name: 'a progress line is cleared for the other stream and redrawn after it',
      writes: [['stdout', 'progress 16%\r'], ['stderr', 'warn at 7\n']],
      screen: ['warn at 7', 'progress 16%'],
    },
    {
      name: 'the progress line goes on where it was after the redraw',
      writes: [['stdout', 'progress 16%\r'], ['stderr', 'warn at 7\n'], ['stdout', 'progress 42%\r'], ['stdout', 'done        \n']],
      screen: ['warn at 7', 'done', ''],
    },
    {
      name: 'a partial line is cleared and redrawn, and its rest follows on the same row',
      writes: [['stdout', 'waiting...'], ['stderr', 'a warning\n'], ['stdout', ' done\n']],
      screen: ['a warning', 'waiting... done', ''],
    },
    {
      name: 'pieces of one partial line are redrawn whole',
      writes: [['stdout', 'wait'], ['stdout', 'ing'], ['note', 'runloop-tail: reconnecting\n']],
      screen: ['runloop-tail: reconnecting', 'waiting'],
    },
    {
      name: 'complete lines of both streams are left alone',
      writes: [['stdout', 'one\n'], ['stderr', 'two\n'], ['stdout', 'three\n']],
      screen: ['one', 'two', 'three', ''],
    },
    {
      name: 'two progress lines: the first is finished with a newline, the second drawn below',
      writes: [['stdout', 'up 10%\r'], ['stderr', 'down 20%\r']],
      screen: ['up 10%', 'down 20%'],
    },
    {
      name: 'a row wider than the screen is finished, not cleared',
      writes: [['stdout', `${'x'.repeat(90)}\r`], ['stderr', 'late\n']],
      screen: ['x'.repeat(80), 'late', ''],
    },
    {
      name: 'a row with cursor movement is finished, not cleared',
      writes: [['stdout', 'a\tb'], ['stderr', 'late\n']],
      screen: ['a\tb', 'late', ''],
    },
    {
      name: 'a stream that finishes its own line releases the row',
      writes: [['stdout', '50%\r'], ['stdout', '100%\n'], ['stderr', 'after\n']],
      screen: ['100%', 'after', ''],
    },
  ] as const)('$name', ({ writes, screen }) => {
    expect(screenOf(play(writes)).map((row) => row.trimEnd())).toEqual(screen);
  });

  it('never leaves another writer’s text spliced into a row (random writes)', () => {
    // Each writer writes only its own letter; on every final row, only one writer's letters appear.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const writes: [string, string][] = [];
      for (let i = 0; i < 12; i++) {
        const writer = random() < 0.5 ? 'stdout' : 'stderr';
        const letter = writer === 'stdout' ? 'o' : 'e';
        const ends = ['\n', '\r', ''][Math.floor(random() * 3)]!;
        writes.push([writer, letter.repeat(1 + Math.floor(random() * 20)) + ends]);
      }
      for (const row of screenOf(play(writes))) expect(row.trim(), JSON.stringify(writes)).toMatch(/^(o*|e*)$/);
    }
  });
});
