import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSanitizer, sanitize, visibleControl } from '../../src/render/sanitize.js';

const E = '\x1b';

// [name, input, expected]; an expected of `null` means "passes unchanged".
const kept: [string, string][] = [
  ['plain text', 'hello, world é 😀'],
  ['tab, newline, CR, backspace', 'a\tb\nc\rd\be\r\n'],
  ['BEL alone', 'done\x07'],
  ['SGR colour and reset', `${E}[31mred${E}[0m`],
  ['SGR empty (reset)', `${E}[m`],
  ['SGR 256 colours', `${E}[38;5;208mx`],
  ['SGR truecolor with semicolons', `${E}[38;2;1;2;3mx`],
  ['SGR truecolor with colons', `${E}[38:2::1:2:3mx`],
  ['cursor up', `${E}[2A`],
  ['cursor down', `${E}[B`],
  ['cursor forward', `${E}[3C`],
  ['cursor back', `${E}[1D`],
  ['cursor next line', `${E}[E`],
  ['cursor previous line', `${E}[2F`],
  ['cursor column', `${E}[1G`],
  ['cursor position', `${E}[10;20H`],
  ['cursor position f', `${E}[f`],
  ['erase line', `${E}[K`],
  ['erase whole line', `${E}[2K`],
  ['erase below', `${E}[J`],
  ['erase screen', `${E}[2J`],
  ['save cursor CSI', `${E}[s`],
  ['restore cursor CSI', `${E}[u`],
  ['save cursor DEC', `${E}7`],
  ['restore cursor DEC', `${E}8`],
  ['hide cursor', `${E}[?25l`],
  ['show cursor', `${E}[?25h`],
  ['ASCII charset (tput sgr0)', `${E}(B${E}[m`],
  ['a progress bar redraw', `\r${E}[2K[###   ] 50%${E}[1G${E}[?25l`],
];

const neutralised: [string, string, string][] = [
  ['OSC title ended by BEL', `${E}]0;pwned\x07after`, '^[]0;pwned^Gafter'],
  ['OSC title ended by ST', `${E}]2;t${E}\\after`, '^[]2;t^[\\after'],
  ['OSC 52 clipboard write', `${E}]52;c;ZWNobyBoaQ==\x07`, '^[]52;c;ZWNobyBoaQ==^G'],
  ['OSC 8 hyperlink', `${E}]8;;http://evil/${E}\\click${E}]8;;${E}\\`, '^[]8;;http://evil/^[\\click^[]8;;^[\\'],
  ['DCS (DECRQSS query)', `${E}P$q"p${E}\\`, '^[P$q"p^[\\'],
  ['APC (kitty graphics)', `${E}_Gf=100;AAAA${E}\\`, '^[_Gf=100;AAAA^[\\'],
  ['PM', `${E}^private${E}\\`, '^[^private^[\\'],
  ['SOS', `${E}Xstring${E}\\`, '^[Xstring^[\\'],
  ['8-bit CSI', '\x9b31mx', 'M-^[31mx'],
  ['8-bit OSC ended by BEL', '\x9d0;t\x07', 'M-^]0;t^G'],
  ['8-bit DCS ended by 8-bit ST', '\x90q\x9c', 'M-^PqM-^\\'],
  ['8-bit PM and APC', '\x9ex\x9c\x9fy\x9c', 'M-^^xM-^\\M-^_yM-^\\'],
  ['other C1 (NEL)', 'a\x85b', 'aM-^Eb'],
  ['device status report', `${E}[6n`, '^[[6n'],
  ['device status query 5n', `${E}[5n`, '^[[5n'],
  ['primary device attributes', `${E}[c`, '^[[c'],
  ['secondary device attributes', `${E}[>c`, '^[[>c'],
  ['tertiary device attributes', `${E}[=c`, '^[[=c'],
  ['window op: report title', `${E}[21t`, '^[[21t'],
  ['window op: resize', `${E}[8;100;100t`, '^[[8;100;100t'],
  ['cursor style DECSCUSR', `${E}[2 q`, '^[[2 q'],
  ['mode query DECRQM', `${E}[?2026$p`, '^[[?2026$p'],
  ['alternate screen 1049', `${E}[?1049h`, '^[[?1049h'],
  ['alternate screen 47', `${E}[?47h`, '^[[?47h'],
  ['mouse tracking', `${E}[?1000h${E}[?1006h`, '^[[?1000h^[[?1006h'],
  ['bracketed paste', `${E}[?2004h`, '^[[?2004h'],
  ['synchronized output', `${E}[?2026h`, '^[[?2026h'],
  ['cursor show bundled with alternate screen', `${E}[?25;1049h`, '^[[?25;1049h'],
  ['kitty keyboard push', `${E}[>1u`, '^[[>1u'],
  ['kitty keyboard pop', `${E}[<u`, '^[[<u'],
  ['kitty keyboard set', `${E}[=1;1u`, '^[[=1;1u'],
  ['modifyOtherKeys looks like SGR but is not', `${E}[>4;1m`, '^[[>4;1m'],
  ['CSI u with parameters', `${E}[1u`, '^[[1u'],
  ['left/right margins (CSI s with parameters)', `${E}[1;80s`, '^[[1;80s'],
  ['scroll region', `${E}[1;10r`, '^[[1;10r'],
  ['insert mode', `${E}[4h`, '^[[4h'],
  ['erase scrollback', `${E}[3J`, '^[[3J'],
  ['cursor movement with a private marker', `${E}[?5H`, '^[[?5H'],
  ['RIS full reset', `${E}c`, '^[c'],
  ['keypad application mode', `${E}=${E}>`, '^[=^[>'],
  ['DEC line drawing charset', `${E}(0lqk${E}(B`, `^[(0lqk${E}(B`],
  ['screen alignment test', `${E}#8`, '^[#8'],
  ['leave UTF-8 mode', `${E}%@`, '^[%@'],
  ['index / next line / tab set', `${E}D${E}E${E}H`, '^[D^[E^[H'],
  ['NUL', 'a\x00b', 'a^@b'],
  ['vertical tab and form feed', '\x0b\x0c', '^K^L'],
  ['shift out / shift in', '\x0ex\x0f', '^Nx^O'],
  ['DEL', 'a\x7f', 'a^?'],
  ['CAN and SUB alone', '\x18\x1a', '^X^Z'],
  ['lone ST', `${E}\\`, '^[\\'],
  ['only the BEL that ends the string is shown', `${E}]0;t\x07\x07`, '^[]0;t^G\x07'],
  ['ESC inside an OSC ends it; the new sequence is judged on its own', `${E}]0;t${E}[31mred`, `^[]0;t${E}[31mred`],
  ['CAN ends a neutralised string', `${E}]0;t\x18\x07`, '^[]0;t^X\x07'],
  ['newline inside a CSI: refused, text kept', `${E}[31\nx`, '^[[31\nx'],
  ['ESC inside a CSI: the first is refused', `${E}[1${E}[m`, `^[[1${E}[m`],
  ['CAN inside a CSI', `${E}[1\x18m`, '^[[1^Xm'],
  ['ESC ESC', `${E}${E}[m`, `^[${E}[m`],
  ['ESC then a non-ASCII character', `${E}é`, '^[é'],
  ['ESC then a newline', `${E}\n`, '^[\n'],
  ['unfinished CSI at the end', `x${E}[3`, 'x^[[3'],
  ['unfinished ESC at the end', `x${E}`, 'x^['],
  ['unfinished charset selection at the end', `${E}(`, '^[('],
];

describe('sanitiser: kept families', () => {
  it.each(kept)('%s', (_name, input) => {
    expect(sanitize(input)).toBe(input);
  });
});

describe('sanitiser: neutralised families', () => {
  it.each(neutralised)('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });
});

describe('sanitiser: every split point of every table row', () => {
  const rows = [...kept.map(([name, input]) => [name, input, input] as const), ...neutralised];
  it.each(rows)('%s', (_name, input, expected) => {
    for (let cut = 0; cut <= input.length; cut++) {
      const sanitizer = createSanitizer();
      const out = sanitizer.push(input.slice(0, cut)) + sanitizer.push(input.slice(cut)) + sanitizer.flush();
      expect(out, `cut at ${cut}`).toBe(expected);
    }
    const sanitizer = createSanitizer();
    const out = [...input].map((c) => sanitizer.push(c)).join('') + sanitizer.flush();
    expect(out, 'one character at a time').toBe(expected);
  });
});

describe('sanitiser: holding', () => {
  it('holds an unfinished sequence until the next push decides', () => {
    const sanitizer = createSanitizer();
    expect(sanitizer.push(`50%${E}[3`)).toBe('50%');
    expect(sanitizer.push('1mred')).toBe(`${E}[31mred`);
    expect(sanitizer.push(`${E}`)).toBe('');
    expect(sanitizer.push(']0;t\x07')).toBe('^[]0;t^G');
    expect(sanitizer.flush()).toBe('');
  });

  it('gives up holding after maxHeld characters and neutralises', () => {
    const sanitizer = createSanitizer({ maxHeld: 8 });
    const out = sanitizer.push(`${E}[${'1'.repeat(20)}`);
    expect(out).toBe(`^[[${'1'.repeat(20)}`);
    expect(sanitizer.push('m')).toBe('m');
  });

  it('never holds more than maxHeld of a hostile endless sequence', () => {
    const sanitizer = createSanitizer({ maxHeld: 4096 });
    let written = sanitizer.push(`${E}[`).length;
    for (let i = 0; i < 100; i++) written += sanitizer.push('1'.repeat(1000)).length;
    expect(written).toBeGreaterThanOrEqual(100_000 + 3 - 4096);
  });

  it('a long neutralised string is not held at all', () => {
    const sanitizer = createSanitizer();
    expect(sanitizer.push(`${E}P${'q'.repeat(10_000)}`)).toBe(`^[P${'q'.repeat(10_000)}`);
  });
});

describe('visibleControl', () => {
  it.each([
    [0x00, '^@'],
    [0x07, '^G'],
    [0x1b, '^['],
    [0x1f, '^_'],
    [0x7f, '^?'],
    [0x80, 'M-^@'],
    [0x9b, 'M-^['],
    [0x9f, 'M-^_'],
  ])('%i → %s', (code, expected) => {
    expect(visibleControl(code)).toBe(expected);
  });
});

// Fragments dense in the characters that matter, so random strings hit real sequences often.
const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(E, '[', ']', 'P', '_', '^', 'X', '\\', '\x07', '(', '#', ' ', '$', '?', '>', '=', '<') },
  { weight: 6, arbitrary: fc.constantFrom('0', '1', '2', '3', '5', ';', ':', 'm', 'H', 'J', 'K', 'A', 'h', 'l', 'c', 'n', 't', 'q', 's', 'u', 'B', '7', '8') },
  { weight: 3, arbitrary: fc.constantFrom('a', 'é', '😀', '\n', '\r', '\t', '\b', '\x00', '\x18', '\x7f', '\x9b', '\x9d', '\x9c', '\x90', '\x85') },
  { weight: 2, arbitrary: fc.constantFrom(`${E}[31m`, `${E}]0;title\x07`, `${E}[?1049h`, `${E}[2K`, `${E}P`, `${E}\\`, `${E}[6n`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const hostileText = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

/** Whether `out` could only do harmless things to a terminal (the keep list, checked independently). */
function assertInert(out: string): void {
  const allowedSequence = /\x1b(?:\[[0-9;:]*m|\[[0-9;]*[A-Hf]|\[[012]?[JK]|\[[su]|\[\?25[hl]|[78]|\(B)/y;
  for (let i = 0; i < out.length; i++) {
    const code = out.charCodeAt(i);
    if (code === 0x1b) {
      allowedSequence.lastIndex = i;
      expect(allowedSequence.test(out), `sequence at ${i} in ${JSON.stringify(out)}`).toBe(true);
    } else if (code < 0x20) {
      expect([0x07, 0x08, 0x09, 0x0a, 0x0d]).toContain(code);
    } else {
      expect(code >= 0x7f && code <= 0x9f, `C1/DEL at ${i}`).toBe(false);
    }
  }
}

function pushSplit(text: string, cuts: number[]): string {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const sanitizer = createSanitizer();
  let out = '';
  let last = 0;
  for (const point of [...points, text.length]) {
    out += sanitizer.push(text.slice(last, point));
    last = point;
  }
  return out + sanitizer.flush();
}

describe('sanitiser: properties', () => {
  it('splitting the input anywhere gives the same output as pushing it whole', () => {
    fc.assert(
      fc.property(hostileText, fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        expect(pushSplit(text, cuts)).toBe(sanitize(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('the output is inert: only kept sequences and kept controls remain', () => {
    fc.assert(
      fc.property(hostileText, (text) => assertInert(sanitize(text))),
      { numRuns: 1000 },
    );
  });

  it('printable text passes unchanged and the output never loses printable characters', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const printable = (s: string) => s.replace(/[\x00-\x1f\x7f-\x9f]/g, '');
        const out = sanitize(text);
        // Neutralising only adds caret notation; it never drops text.
        const stripped = printable(out);
        let at = 0;
        for (const c of printable(text)) {
          at = stripped.indexOf(c, at);
          expect(at).toBeGreaterThanOrEqual(0);
          at += c.length;
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const clean = text.replace(/[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]/g, '');
        expect(sanitize(clean)).toBe(clean);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = sanitize(text);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
