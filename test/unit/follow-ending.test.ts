/**
 * How a follow ends, as a table: every exit status a follow can end with comes from one decision
 * (follow-ending.ts over the errors table), with the notes that say why and the --json record. And
 * which events become notes (follow-notes.ts).
 */
import { describe, expect, it } from 'vitest';
import { completedEnding, stoppedEnding, type Stops } from '../../src/commands/follow-ending.js';
import { eventNote } from '../../src/commands/follow-notes.js';
import { TailError, interruption } from '../../src/errors.js';
import type { FollowEvent } from '../../src/stream/types.js';

const RESUME = 'runloop-tail dbx exn --stdout-offset 1 --stderr-offset 2';

describe('completedEnding', () => {
  it.each([
    ['exit 0', { exitStatus: 0, missingBytes: 0 }, undefined, 0, [], undefined],
    ['exit 3: the command\'s own', { exitStatus: 3, missingBytes: 0 }, undefined, 3, [], undefined],
    ['an exit status no process has', { exitStatus: 300, missingBytes: 0 }, undefined, 255, [], undefined],
    ['bytes lost', { exitStatus: 0, missingBytes: 7 }, undefined, 255, ['the output is incomplete: 7 bytes were lost; the command exited with status 0'], undefined],
    ['no exit status', { exitStatus: null, missingBytes: 0 }, undefined, 255, ['the execution completed without an exit status'], 'protocol'],
    ['a --save file failed', { exitStatus: 0, missingBytes: 0 }, 'disk full', 255, [], 'save'],
  ] as const)('%s', (_name, result, saveFailure, status, notes, kind) => {
    const ending = completedEnding(result, saveFailure);
    expect(ending.status).toBe(status);
    expect(ending.notes).toEqual(notes);
    expect(ending.record?.kind).toBe(kind);
  });
});

describe('stoppedEnding', () => {
  const aborted = (reason?: unknown) => AbortSignal.abort(reason);
  const live = new AbortController().signal;
  const stops = (over: Partial<Stops>): Stops => ({ interrupt: live, timeout: live, ...over });
  it.each<[string, unknown, Stops, number, string[], string]>([
    ['Ctrl-C', new Error('aborted'), stops({ interrupt: aborted(interruption('SIGINT')) }), 130, [`interrupted; resume with: ${RESUME}`], 'interrupt'],
    ['SIGTERM', new Error('aborted'), stops({ interrupt: aborted(interruption('SIGTERM')) }), 143, [`stopped by SIGTERM; resume with: ${RESUME}`], 'interrupt'],
    [
      '--timeout',
      new Error('aborted'),
      stops({ timeout: aborted(new TailError('timeout', 'stopped after --timeout 2s')) }),
      124,
      ['stopped after --timeout 2s', `resume with: ${RESUME}`],
      'timeout',
    ],
    ['the caller stopped it (stdin)', new Error('aborted'), stops({ stop: aborted(new TailError('stdin', 'stdin could not be sent')) }), 255, ['stdin could not be sent'], 'failure'],
    ['retries exhausted: resumable', new TailError('retries-exhausted', 'gave up'), stops({}), 255, ['gave up', `resume with: ${RESUME}`], 'failure'],
    ['not found: not resumable', new TailError('not-found', 'no such execution'), stops({}), 255, ['no such execution'], 'failure'],
  ])('%s', (_name, error, given, status, notes, event) => {
    const ending = stoppedEnding(error, given, () => RESUME);
    expect(ending.status).toBe(status);
    expect(ending.notes).toEqual(notes);
    expect(ending.record?.event).toBe(event);
    expect(ending.rethrow).toBeUndefined();
  });

  it('an error we do not know: an internal failure record, and it goes on up', () => {
    const ending = stoppedEnding(new RangeError('bug'), stops({}), () => RESUME);
    expect(ending).toEqual({ status: 255, notes: [], record: { event: 'failure', status: 255, kind: 'internal', message: 'bug' }, rethrow: true });
  });
});

describe('eventNote', () => {
  const quiet = { verbose: false, terminal: false };
  const verbose = { verbose: true, terminal: false };
  const terminal = { verbose: false, terminal: true };
  // The wait's own format is duration formatting's (its table tests it).
  it.each<[string, FollowEvent, typeof quiet, string | RegExp | undefined]>([
    ['a gap, always', { type: 'gap', stream: 'stderr', offset: 10, length: 5 }, quiet, 'stderr: 5 bytes lost at byte 10 (the server no longer has them)'],
    ['a short reconnect in a pipe: none', { type: 'retrying', stream: 'stdout', offset: 4, attempt: 1, delayMs: 250, reason: 'cut' }, quiet, undefined],
    ['a short reconnect on a terminal', { type: 'retrying', stream: 'stdout', offset: 4, attempt: 1, delayMs: 250, reason: 'cut' }, terminal, 'stdout: reconnecting from byte 4, attempt 1 in 250ms (cut)'],
    ['a long Retry-After, even in a pipe', { type: 'retrying', stream: 'stdout', offset: 4, attempt: 1, delayMs: 60_000, reason: 'HTTP 429' }, quiet, /^stdout: reconnecting from byte 4, attempt 1 in \S+ \(HTTP 429\)$/],
    ['queued, with --verbose', { type: 'waiting', status: 'queued' }, verbose, 'execution is queued, waiting for it to start'],
    ['queued, without', { type: 'waiting', status: 'queued' }, quiet, undefined],
    ['drained, with --verbose', { type: 'drained', stream: 'stdout', offset: 99 }, verbose, 'stdout: complete at byte 99'],
    ['completed, with --verbose', { type: 'completed', exitStatus: 2 }, verbose, 'the command exited with status 2'],
    ['data: never', { type: 'data', stream: 'stdout' }, verbose, undefined],
  ])('%s', (_name, event, policy, note) => {
    if (note instanceof RegExp) expect(eventNote(event, policy)).toMatch(note);
    else expect(eventNote(event, policy)).toBe(note);
  });
});
