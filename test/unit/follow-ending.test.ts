/**
 * How a follow ends, as a table: every exit status a follow can end with comes from one decision
 * (follow-ending.ts over the errors table), with the notes that say why and the --json record. And
 * which events become notes (follow-notes.ts).
 */
import { describe, expect, it } from 'vitest';
import { completedEnding, failedEnding, severalEnding, stoppedEnding, type Outcome, type SeveralStops, type Stops } from '../../src/commands/follow-ending.js';
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

describe('completedEnding: the --json exit record, when the execution completed with a status', () => {
  it.each([
    ['exit 3', { exitStatus: 3, missingBytes: 0 }, undefined, { exitStatus: 3, missingBytes: 0 }],
    ['bytes lost', { exitStatus: 0, missingBytes: 7 }, undefined, { exitStatus: 0, missingBytes: 7 }],
    ['bytes lost, no exit status', { exitStatus: null, missingBytes: 7 }, undefined, undefined],
    ['no exit status', { exitStatus: null, missingBytes: 0 }, undefined, undefined],
    ['a --save file failed: its failure record instead', { exitStatus: 0, missingBytes: 0 }, 'disk full', undefined],
  ] as const)('%s', (_name, result, saveFailure, exit) => {
    expect(completedEnding(result, saveFailure).exit).toEqual(exit);
  });
});

describe('completedEnding of one of several executions: its own exit status is said', () => {
  it.each([
    ['exit 0, quiet', { exitStatus: 0, missingBytes: 0 }, false, 0, []],
    ['exit 0, --verbose', { exitStatus: 0, missingBytes: 0 }, true, 0, ['exited with status 0']],
    ['exit 3', { exitStatus: 3, missingBytes: 0 }, false, 3, ['exited with status 3']],
    ['exit 300: said as sent, counted as 255', { exitStatus: 300, missingBytes: 0 }, false, 255, ['exited with status 300']],
    ['bytes lost: only that', { exitStatus: 3, missingBytes: 2 }, true, 255, ['the output is incomplete: 2 bytes were lost; the command exited with status 3']],
    ['no exit status: only that', { exitStatus: null, missingBytes: 0 }, true, 255, ['the execution completed without an exit status']],
  ] as const)('%s', (_name, result, verbose, status, notes) => {
    const ending = completedEnding(result, undefined, { verbose });
    expect(ending.status).toBe(status);
    expect(ending.notes).toEqual(notes);
  });
});

describe('failedEnding without a resume command (one of several: their ending gives one)', () => {
  it.each([
    ['retries exhausted: no resume line of its own', new TailError('retries-exhausted', 'gave up'), 255, ['gave up'], 'retries-exhausted'],
    ['protocol', new TailError('protocol', 'bad event'), 255, ['bad event'], 'protocol'],
    ['not found', new TailError('not-found', 'no such execution'), 255, ['no such execution'], 'not-found'],
  ])('%s', (_name, error, status, notes, kind) => {
    const ending = failedEnding(error);
    expect(ending).toEqual({ status, notes, record: { event: 'failure', status, kind, message: notes[0] } });
  });

  it('an error we do not know: an internal failure record, and it goes on up', () => {
    expect(failedEnding(new RangeError('bug'))).toEqual({ status: 255, notes: [], record: { event: 'failure', status: 255, kind: 'internal', message: 'bug' }, rethrow: true });
  });
});

describe('severalEnding: how several executions end, once each has its outcome', () => {
  const live = new AbortController().signal;
  const aborted = (reason?: unknown) => AbortSignal.abort(reason);
  const stops = (over: Partial<SeveralStops>): SeveralStops => ({ interrupt: live, timeout: live, failFast: live, ...over });
  const ended = (status: number): Outcome => ({ kind: 'ended', status });
  const stopped: Outcome = { kind: 'stopped' };
  const failFast = aborted(new TailError('interrupted', 'stopped by --fail-fast'));
  it.each<[string, Outcome[], SeveralStops, number, string[], string | undefined]>([
    ['all exited 0', [ended(0), ended(0)], stops({}), 0, [], undefined],
    ['the first in argument order that did not exit 0', [ended(0), ended(4), ended(3)], stops({}), 4, [], undefined],
    ['all ended though a stop fired late: no note', [ended(0), ended(2)], stops({ interrupt: aborted(interruption('SIGINT')) }), 2, [], undefined],
    ['Ctrl-C with one unfinished', [ended(3), stopped], stops({ interrupt: aborted(interruption('SIGINT')) }), 130, [`interrupted; resume with: ${RESUME}`], 'interrupt'],
    ['SIGTERM', [stopped, stopped], stops({ interrupt: aborted(interruption('SIGTERM')) }), 143, [`stopped by SIGTERM; resume with: ${RESUME}`], 'interrupt'],
    [
      '--timeout',
      [ended(0), stopped],
      stops({ timeout: aborted(new TailError('timeout', 'stopped after --timeout 2s')) }),
      124,
      ['stopped after --timeout 2s', `resume with: ${RESUME}`],
      'timeout',
    ],
    ['Ctrl-C wins over --fail-fast', [ended(3), stopped], stops({ interrupt: aborted(interruption('SIGINT')), failFast }), 130, [`interrupted; resume with: ${RESUME}`], 'interrupt'],
    ['--fail-fast: the failed one\'s status', [stopped, ended(3)], stops({ failFast }), 3, [`--fail-fast stopped the others; resume them with: ${RESUME}`], 'stopped'],
  ])('%s', (_name, outcomes, given, status, notes, event) => {
    const ending = severalEnding(outcomes, given, () => RESUME);
    expect(ending.status).toBe(status);
    expect(ending.notes).toEqual(notes);
    expect(ending.record?.event).toBe(event);
    if (ending.record) expect(ending.record.status).toBe(status);
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
