import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeTty, textSink } from '../helpers/fake-streams.js';
import { TailError, interruption } from '../../src/errors.js';
import { applyKeys, readSecret, stripOneNewline, type LineState } from '../../src/settings/prompt.js';



const PROMPT = 'API key (input hidden): ';

describe('applyKeys', () => {
  const rows: readonly (readonly [string, string, string, LineState])[] = [
    ['typing', '', 'abc', { text: 'abc', outcome: 'more' }],
    ['Enter (CR) submits', 'ab', 'c\r', { text: 'abc', outcome: 'submit' }],
    ['Enter (LF) submits', '', 'abc\n', { text: 'abc', outcome: 'submit' }],
    ['a paste ending in CRLF stops at CR', '', 'key\r\n', { text: 'key', outcome: 'submit' }],
    ['keys after Enter are ignored', '', 'a\rb', { text: 'a', outcome: 'submit' }],
    ['Backspace (DEL)', 'abc', '\u007f', { text: 'ab', outcome: 'more' }],
    ['Backspace (BS)', 'abc', '\b\b', { text: 'a', outcome: 'more' }],
    ['Backspace on empty', '', '\u007f\u007fx', { text: 'x', outcome: 'more' }],
    ['Backspace removes a whole code point', 'a😀', '\u007f', { text: 'a', outcome: 'more' }],
    ['Ctrl-U kills the line', 'abc', '\u0015d', { text: 'd', outcome: 'more' }],
    ['Ctrl-C interrupts and forgets', 'secret', '\u0003', { text: '', outcome: 'interrupt' }],
    ['Ctrl-D on an empty line ends', '', '\u0004', { text: '', outcome: 'submit' }],
    ['Ctrl-D after text is ignored', 'ab', '\u0004c', { text: 'abc', outcome: 'more' }],
    ['arrow keys (CSI) are ignored', 'ab', '\u001b[D\u001b[Cc', { text: 'abc', outcome: 'more' }],
    ['SS3 keys are ignored', 'ab', '\u001bOAc', { text: 'abc', outcome: 'more' }],
    ['CSI with parameters is ignored', '', 'a\u001b[1;5Cb', { text: 'ab', outcome: 'more' }],
    ['a lone Esc is ignored', 'a', '\u001bb', { text: 'ab', outcome: 'more' }],
    ['other control characters are ignored', '', 'a\tb\u0001c', { text: 'abc', outcome: 'more' }],
  ];
  it.each(rows)('%s', (_, before, keys, expected) => {
    expect(applyKeys(before, keys)).toEqual(expected);
  });
});

describe('stripOneNewline', () => {
  it.each([
    ['key', 'key'],
    ['key\n', 'key'],
    ['key\r\n', 'key'],
    ['key\n\n', 'key\n'],
    ['key\r', 'key\r'],
    ['', ''],
    ['\n', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripOneNewline(input)).toBe(expected);
  });
});

describe('readSecret on a terminal', () => {
  it('prompts, reads without echo, restores the terminal', async () => {
    const input = new FakeTty();
    const output = textSink();
    const secret = readSecret({ input, output: output.stream, prompt: PROMPT });
    input.write('sk_');
    input.write('live_1234');
    input.write('\r');
    await expect(secret).resolves.toBe('sk_live_1234');
    expect(output.text()).toBe(`${PROMPT}\n`); // the prompt, then the newline Enter did not echo
    expect(input.rawModes).toEqual([true, false]);
    expect(input.isPaused()).toBe(true);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('edits with Backspace across chunks', async () => {
    const input = new FakeTty();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT });
    for (const key of ['a', 'b', 'x', '\u007f', 'c', '\r']) input.write(key);
    await expect(secret).resolves.toBe('abc');
  });

  it('decodes a UTF-8 character split between chunks', async () => {
    const input = new FakeTty();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT });
    const bytes = Buffer.from('é\r');
    input.write(bytes.subarray(0, 1));
    input.write(bytes.subarray(1));
    await expect(secret).resolves.toBe('é');
  });

  it('Ctrl-C rejects with interrupted (exit 130) and restores the terminal', async () => {
    const input = new FakeTty();
    const output = textSink();
    const secret = readSecret({ input, output: output.stream, prompt: PROMPT });
    input.write('sk_live_half');
    input.write('\u0003');
    const error = await secret.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TailError);
    expect(error).toMatchObject({ kind: 'interrupted', exitStatus: 130 });
    expect(input.rawModes).toEqual([true, false]);
    expect(output.text()).toBe(`${PROMPT}\n`);
    expect(output.text()).not.toContain('half');
  });

  it('the abort signal (SIGTERM) ends it the same way', async () => {
    const input = new FakeTty();
    const controller = new AbortController();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT, signal: controller.signal });
    input.write('abc');
    controller.abort(interruption('SIGTERM'));
    // SIGTERM's status, as the shell reports it, not Ctrl-C's.
    await expect(secret).rejects.toMatchObject({ kind: 'interrupted', signal: 'SIGTERM', exitStatus: 143 });
    expect(input.rawModes).toEqual([true, false]);
  });

  it('end of input returns what was typed', async () => {
    const input = new FakeTty();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT });
    input.end('abc');
    await expect(secret).resolves.toBe('abc');
    expect(input.rawModes).toEqual([true, false]);
  });
});

describe('readSecret from a pipe', () => {
  it.each([
    ['one line', ['sk_live_1234\n'], 'sk_live_1234'],
    ['no newline', ['sk_live_1234'], 'sk_live_1234'],
    ['CRLF', ['sk_live_1234\r\n'], 'sk_live_1234'],
    ['two newlines keep one', ['sk_live_1234\n\n'], 'sk_live_1234\n'],
    ['in pieces', ['sk_', 'live', '_1234', '\n'], 'sk_live_1234'],
    ['empty', [], ''],
  ])('%s', async (_, chunks, expected) => {
    const input = new PassThrough();
    const output = textSink();
    const secret = readSecret({ input, output: output.stream, prompt: PROMPT });
    for (const chunk of chunks) input.write(chunk);
    input.end();
    await expect(secret).resolves.toBe(expected);
    expect(output.text()).toBe(''); // no prompt on a pipe
  });

  it('a terminal without raw mode is read like a pipe', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT });
    input.end('abc\n');
    await expect(secret).resolves.toBe('abc');
  });

  it('refuses more than maxBytes', async () => {
    const input = new PassThrough();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT, maxBytes: 8 });
    input.write('12345');
    input.write('67890');
    const error = await secret.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'usage', message: 'more than 8 bytes on stdin; expected one API key' });
    expect(input.listenerCount('data')).toBe(0);
  });

  it('the abort signal ends a read that would wait forever', async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    const secret = readSecret({ input, output: textSink().stream, prompt: PROMPT, signal: controller.signal });
    input.write('partial');
    controller.abort();
    await expect(secret).rejects.toMatchObject({ kind: 'interrupted', exitStatus: 130 });
  });

  it('an already aborted signal does not read at all', async () => {
    const input = new PassThrough();
    await expect(
      readSecret({ input, output: textSink().stream, prompt: PROMPT, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ kind: 'interrupted' });
    expect(input.listenerCount('data')).toBe(0);
  });

  it('a read the SIGHUP stopped before it began ends with SIGHUP\'s status', async () => {
    const input = new PassThrough();
    await expect(
      readSecret({ input, output: textSink().stream, prompt: PROMPT, signal: AbortSignal.abort(interruption('SIGHUP')) }),
    ).rejects.toMatchObject({ kind: 'interrupted', signal: 'SIGHUP', exitStatus: 129 });
  });
});
