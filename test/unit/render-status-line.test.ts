import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exitStatusNote,
  failFastNote,
  gapNote,
  interruptedNote,
  noteLine,
  reconnectNote,
  resumeCommand,
  waitingNote,
} from '../../src/render/status-line.js';
import { shellQuote, shellQuoteAlways } from '../../src/render/shell-quote.js';

/** What a real shell makes of the words: each printed and NUL-terminated (bash: for `$'…'`). */
function shellWords(commandLine: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${commandLine}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  const rows: [name: string, word: string, expected: string][] = [
    ['plain word', 'dbx_123', 'dbx_123'],
    ['flag and number', '--stdout-offset', '--stdout-offset'],
    ['path and url-ish', 'https://api.example/v1:8080', 'https://api.example/v1:8080'],
    ['empty', '', "''"],
    ['space', 'a b', "'a b'"],
    ['single quote', "it's", "'it'\\''s'"],
    ['only a quote', "'", "''\\'''"],
    ['double quote', 'say "hi"', `'say "hi"'`],
    ['dollar', '$HOME', "'$HOME'"],
    ['command substitution', '$(rm -rf /)', "'$(rm -rf /)'"],
    ['backtick', '`id`', "'`id`'"],
    ['semicolon', 'a;b', "'a;b'"],
    ['glob', '*.log', "'*.log'"],
    ['tilde', '~/x', "'~/x'"],
    ['backslash', 'a\\b', "'a\\b'"],
    ['newline', 'a\nb', "$'a\\nb'"],
    ['escape and bell (OSC title)', '\x1b]0;x\x07', "$'\\x1b]0;x\\x07'"],
    ['C1 CSI', 'a\u009b6n', "$'a\\u009b6n'"],
    ['control with quote and backslash', "\x1b'\\", "$'\\x1b\\'\\\\'"],
    ['evil id', 'exe_1; touch ~/x #', "'exe_1; touch ~/x #'"],
    ['unicode', 'héllo', "'héllo'"],
    ['emoji', '😀', "'😀'"],
  ];
  it.each(rows)('%s', (_name, word, expected) => {
    expect(shellQuote(word)).toBe(expected);
  });

  // The always-quoted form the named shells' trap and the completion scripts use (each had a copy):
  // the same as shellQuote but for a safe word, which is single-quoted too.
  it.each(rows)('always quoted: %s', (_name, word, expected) => {
    expect(shellQuoteAlways(word)).toBe(expected === word ? `'${word}'` : expected);
    expect(shellWords(shellQuoteAlways(word))).toEqual([word]);
  });

  it('a quoted word with control characters holds none', () => {
    for (const [, word] of rows) expect(shellQuote(word)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('a real shell reads every table word back unchanged', () => {
    const words = rows.map(([, word]) => word);
    expect(shellWords(words.map(shellQuote).join(' '))).toEqual(words);
  });

  it('a real shell reads random words back unchanged', () => {
    const word = fc.string({ unit: fc.oneof(fc.constantFrom("'", '"', '\\', '$', '`', ' ', '\n', '*', '~', ';', '&', '|', '!', '#', '(', 'é'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) }).filter((w) => !w.includes('\0'));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 20 }), (words) => {
        expect(shellWords(words.map(shellQuote).join(' '))).toEqual(words);
      }),
      { numRuns: 30 },
    );
  });
});

describe('resumeCommand', () => {
  it('names the execution and both offsets', () => {
    expect(resumeCommand({ devboxId: 'dbx_1', executionId: 'exn_2', stdoutOffset: 123456, stderrOffset: 0 })).toBe(
      'runloop-tail dbx_1 exn_2 --stdout-offset 123456 --stderr-offset 0',
    );
  });

  it('quotes the extra arguments and the program', () => {
    const command = resumeCommand({
      program: '/opt/run loop/runloop-tail',
      devboxId: 'dbx_1',
      executionId: 'exn_2',
      stdoutOffset: 1,
      stderrOffset: 2,
      extraArgs: ['--prefix', '--base-url', "http://h/x y'z"],
    });
    expect(command).toBe("'/opt/run loop/runloop-tail' dbx_1 exn_2 --stdout-offset 1 --stderr-offset 2 --prefix --base-url 'http://h/x y'\\''z'");
    expect(shellWords(command)).toEqual(['/opt/run loop/runloop-tail', 'dbx_1', 'exn_2', '--stdout-offset', '1', '--stderr-offset', '2', '--prefix', '--base-url', "http://h/x y'z"]);
  });
});

describe('noteLine: one note as stderr shows it', () => {
  it.each<[string, string, 0 | 1 | 3, string]>([
    ['plain', 'resume with: runloop-tail a b', 0, 'runloop-tail: resume with: runloop-tail a b\n'],
    ['a control character from the network is made visible', 'HTTP 500 (\u001b]0;x\u0007)', 0, 'runloop-tail: HTTP 500 (^[]0;x^G)\n'],
    ['the whole line dim with colour', 'gave up', 1, '\u001b[2mrunloop-tail: gave up\u001b[22m\n'],
  ])('%s', (_name, note, level, expected) => {
    expect(noteLine(note, level)).toBe(expected);
  });
});

describe('notes', () => {
  const rows: [name: string, actual: string, expected: string][] = [
    ['reconnect', reconnectNote('stdout', 123456, 3), 'stdout: reconnecting from byte 123456, attempt 3'],
    ['reconnect with delay and reason', reconnectNote('stderr', 0, 1, { delayMs: 1500, reason: 'socket hang up' }), 'stderr: reconnecting from byte 0, attempt 1 in 1.5s (socket hang up)'],
    ['reconnect with a short delay', reconnectNote('stdout', 7, 2, { delayMs: 250 }), 'stdout: reconnecting from byte 7, attempt 2 in 250ms'],
    ['reconnect at once', reconnectNote('stdout', 7, 2, { delayMs: 0, reason: '' }), 'stdout: reconnecting from byte 7, attempt 2'],
    ['big offsets are plain digits', reconnectNote('stdout', 12345678901, 1), 'stdout: reconnecting from byte 12345678901, attempt 1'],
    ['waiting', waitingNote('queued'), 'execution is queued, waiting for it to start'],
    ['gap', gapNote('stderr', 1024, 512), 'stderr: 512 bytes lost at byte 1024 (the server no longer has them)'],
    ['gap of one byte', gapNote('stdout', 5, 1), 'stdout: 1 byte lost at byte 5 (the server no longer has them)'],
    ['interrupted', interruptedNote('runloop-tail a b'), 'interrupted; resume with: runloop-tail a b'],
    ['one of several exited', exitStatusNote(3), 'exited with status 3'],
    ['--fail-fast', failFastNote('runloop-tail a/b@1,2'), '--fail-fast stopped the others; resume them with: runloop-tail a/b@1,2'],
  ];
  it.each(rows)('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});
