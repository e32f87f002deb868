/**
 * The --save files on disk across runs, without the network: what a run that stops at any point
 * leaves (the summary's point is never ahead of the file), and where the next run resumes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSaveFiles } from '../../src/output/save-files.js';
import { TailError } from '../../src/errors.js';
import type { OutputSink } from '../../src/stream/types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-save-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target = { devboxId: 'dbx_1', executionId: 'exn_1' };
const nowhere: OutputSink = { write: () => {}, ready: () => undefined, end: () => {}, close: () => {} };
const summary = () => JSON.parse(readFileSync(join(dir, 'exn_1.json'), 'utf8')) as { resume: Record<string, unknown>; stdout_bytes: number };
const file = (stream: string) => readFileSync(join(dir, `exn_1.${stream}`));
const fffd = '\u{FFFD}';
/** Where a next run would resume (its files closed again). */
function offsetsOf(streams: ('stdout' | 'stderr')[]) {
  const save = openSaveFiles(dir, target, streams);
  save.close();
  return save.offsets;
}

describe('openSaveFiles: resuming', () => {
  it('valid text: no point recorded, the next run resumes from the file size', () => {
    const first = openSaveFiles(dir, target, ['stdout', 'stderr']);
    const sink = first.tee(nowhere);
    sink.write('stdout', Buffer.from('hello\n'), 0);
    sink.placed?.('stdout', 6, 0);
    first.close();
    expect(summary().resume).toEqual({ stdout: null, stderr: null });
    expect(offsetsOf(['stdout', 'stderr'])).toEqual({ stdout: 6, stderr: 0 });
  });

  it('U+FFFD text: the point is recorded before the text is written and after it is placed', () => {
    const first = openSaveFiles(dir, target, ['stdout']);
    const sink = first.tee(nowhere);
    sink.write('stdout', Buffer.from('ab\n'), 0);
    sink.placed?.('stdout', 3, 0);
    // Two bytes that were not UTF-8 arrive as two U+FFFD (6 bytes of text).
    sink.write('stdout', Buffer.from(`${fffd}${fffd}\n`), 3);
    // Stopped here (kill -9 before the placement was told): the point is before the text.
    expect(summary().resume).toEqual({ stdout: { bytes: 3, offset: 3 }, stderr: null });
    first.close();
    const second = openSaveFiles(dir, target, ['stdout']);
    expect(second.offsets.stdout).toBe(3);
    expect(file('stdout').toString()).toBe('ab\n'); // cut back to the point: it is fetched again
    const again = second.tee(nowhere);
    again.write('stdout', Buffer.from(`${fffd}${fffd}\n`), 3);
    again.placed?.('stdout', 6, 0);
    expect(summary().resume).toEqual({ stdout: { bytes: 10, offset: 6 }, stderr: null });
    second.complete(0);
    second.close();
    expect(summary()).toMatchObject({ status: 'completed', stdout_bytes: 10, resume: { stdout: { bytes: 10, offset: 6 } } });
    expect(offsetsOf(['stdout']).stdout).toBe(6);
    expect(file('stdout').toString()).toBe(`ab\n${fffd}${fffd}\n`);
  });

  it('a stream not followed keeps the point an earlier run recorded for it', () => {
    const first = openSaveFiles(dir, target, ['stdout', 'stderr']);
    const sink = first.tee(nowhere);
    sink.write('stderr', Buffer.from(`${fffd}\n`), 0);
    sink.placed?.('stderr', 2, 0);
    first.close();
    openSaveFiles(dir, target, ['stdout']).close();
    expect(summary().resume).toEqual({ stdout: null, stderr: { bytes: 4, offset: 2 } });
    expect(offsetsOf(['stdout', 'stderr'])).toEqual({ stdout: 0, stderr: 2 });
  });

  it('a file shorter than its recorded point: one line, exit 2', () => {
    const first = openSaveFiles(dir, target, ['stdout']);
    const sink = first.tee(nowhere);
    sink.write('stdout', Buffer.from(`${fffd}${fffd}\n`), 0);
    sink.placed?.('stdout', 3, 0);
    first.close();
    writeFileSync(join(dir, 'exn_1.stdout'), 'x');
    const error = (() => {
      try {
        openSaveFiles(dir, target, ['stdout']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).kind).toBe('usage');
    expect((error as TailError).message).toMatch(/exn_1\.stdout holds 1 bytes but exn_1\.json says 7 were saved/);
  });
});
