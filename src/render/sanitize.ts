/**
 * A streaming sanitiser for remote output shown on a terminal.
 *
 * Colour and the cursor/erase sequences progress bars use pass through. Everything that can take
 * the terminal over or make it answer is neutralised: made visible and inert by replacing its
 * control characters with `cat -v` notation (ESC → `^[`, BEL → `^G`, U+009B → `M-^[`), so a person
 * sees that something was there and the terminal does not act on it. Printable text is never
 * changed, so the result of an inert sequence is the sequence itself, readable.
 *
 * Kept (everything else is neutralised):
 * - C0 `\t` `\n` `\r` `\b` and BEL alone (a beep is what the remote asked for and takes nothing
 *   over; a BEL that ends a neutralised OSC string is shown as `^G` instead);
 * - CSI `m` (SGR: colour and attributes; parameters digits `;` `:` only, so `CSI > 4;1 m`, a
 *   keyboard-protocol change, is not SGR);
 * - CSI `A B C D E F G H f` (cursor movement), `J` with 0, 1 or 2, `K` (erase); `CSI 3 J` is
 *   neutralised because it wipes the scrollback, the very log a person is following;
 * - `CSI s` and `CSI u` with no parameters (save/restore cursor; with parameters they are margin
 *   and keyboard-protocol commands), `CSI ? 25 h` / `CSI ? 25 l` (show/hide cursor);
 * - `ESC 7` / `ESC 8` (save/restore cursor) and `ESC ( B` (ASCII character set, part of `tput sgr0`).
 *
 * Neutralised, among others: OSC (titles, OSC 52 clipboard writes, OSC 8 hyperlinks, whose shown
 * text can disguise their target), DCS, APC, PM, SOS and their 8-bit C1 forms; every C1 control;
 * device status and attribute queries, window operations, DECRQM and anything else that makes the
 * terminal answer; mode changes (alternate screen, mouse tracking, bracketed paste, scroll
 * regions, keypad and keyboard protocols); RIS (`ESC c`); character-set switches other than ASCII;
 * C0 controls other than those kept (NUL, VT, FF, SO, SI, …) and DEL.
 */

/** A stateful text filter of one stream; see {@link createSanitizer}. */
export interface Sanitizer {
  /** Filters the next piece of text; an escape sequence cut at the end is held for the next push. */
  push(text: string): string;
  /** Ends the stream: a held, unfinished escape sequence comes out neutralised. */
  flush(): string;
}

/** Options of {@link createSanitizer}. */
export interface SanitizerOptions {
  /**
   * The most characters of one unfinished escape sequence held between pushes; a longer one is
   * neutralised and the rest passes as the inert text it then is. Default 4096.
   */
  readonly maxHeld?: number;
}

const ESC = '\x1b';
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const ST_8BIT = 0x9c;

// C1 controls that open a control string (DCS, SOS, OSC, PM, APC).
const C1_STRING_OPENERS = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);
// ESC followed by these opens the 7-bit form of the same strings: DCS P, SOS X, OSC ], PM ^, APC _.
const ESC_STRING_OPENERS = new Set([']', 'P', 'X', '^', '_']);

// A character that needs a look in the ground state: C0 except \t \n \r, DEL, C1.
// \b (0x08) and BEL (0x07) are included so the state machine decides about them.
const SPECIAL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

const KEPT_CSI_CURSOR = /^[0-9;]*[ABCDEFGHf]$/;
const KEPT_CSI: readonly RegExp[] = [
  /^[0-9;:]*m$/, // SGR
  KEPT_CSI_CURSOR,
  /^[012]?J$/,
  /^[012]?K$/,
  /^[su]$/,
  /^\?25[hl]$/,
];

/** The `cat -v` form of a control character (C0, DEL or C1). */
export function visibleControl(code: number): string {
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  if (code >= 0x80 && code <= 0x9f) return `M-^${String.fromCharCode(code - 0x80 + 0x40)}`;
  return String.fromCharCode(code);
}

/**
 * Makes every control character (C0, DEL, C1) visible in `cat -v` notation, colour and newlines
 * included: for runloop-tail's own one-line messages, which quote text from the network (error
 * bodies, ids, header values) and must never act on the terminal. Also how the sanitiser makes an
 * unfinished or refused sequence inert.
 */
export function visibleControls(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => visibleControl(c.charCodeAt(0)));
}

const neutralise = visibleControls;

type State =
  | 'ground'
  | 'string' // inside a neutralised control string: only its terminator is treated differently
  | 'escape' // after ESC
  | 'escape-intermediate' // after ESC and one or more of 0x20–0x2F (nF sequences such as ESC ( B)
  | 'csi'; // after ESC [

/** Creates the sanitiser of one stream (escape sequences may span pushes, so one per stream). */
export function createSanitizer(options: SanitizerOptions = {}): Sanitizer {
  const maxHeld = options.maxHeld ?? 4096;
  let state: State = 'ground';
  let held = '';

  /** Handles one character outside a held sequence: ground or string state. */
  function ground(code: number, char: string): string {
    if (code === 0x1b) {
      state = 'escape';
      held = ESC;
      return '';
    }
    if (state === 'string') {
      if (code === BEL || code === ST_8BIT || code === CAN || code === SUB) {
        state = 'ground';
        return visibleControl(code);
      }
    }
    if (C1_STRING_OPENERS.has(code)) {
      state = 'string';
      return visibleControl(code);
    }
    if (code === 0x09 || code === 0x0a || code === 0x0d || code === 0x08 || code === BEL) return char;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return visibleControl(code);
    return char;
  }

  /** Feeds one character to the state machine and returns what can be written now. */
  function step(char: string): string {
    const code = char.charCodeAt(0);
    switch (state) {
      case 'ground':
      case 'string':
        return ground(code, char);
      case 'escape': {
        if (char === '[') {
          state = 'csi';
          held += char;
          return '';
        }
        if (ESC_STRING_OPENERS.has(char)) {
          state = 'string';
          held = '';
          return `^[${char}`;
        }
        if (code >= 0x20 && code <= 0x2f) {
          state = 'escape-intermediate';
          held += char;
          return '';
        }
        if (code >= 0x30 && code <= 0x7e) {
          state = 'ground';
          held = '';
          return char === '7' || char === '8' ? ESC + char : `^[${char}`;
        }
        return abort(char);
      }
      case 'escape-intermediate': {
        if (code >= 0x20 && code <= 0x2f) return extend(char);
        if (code >= 0x30 && code <= 0x7e) {
          const sequence = held + char;
          state = 'ground';
          held = '';
          return sequence === `${ESC}(B` ? sequence : neutralise(sequence);
        }
        return abort(char);
      }
      case 'csi': {
        if (code >= 0x20 && code <= 0x3f) return extend(char);
        if (code >= 0x40 && code <= 0x7e) {
          const sequence = held + char;
          const body = sequence.slice(2);
          state = 'ground';
          held = '';
          return KEPT_CSI.some((re) => re.test(body)) ? sequence : neutralise(sequence);
        }
        return abort(char);
      }
    }
  }

  /** Adds to the held sequence, or gives up on it once it is longer than anything real. */
  function extend(char: string): string {
    held += char;
    if (held.length <= maxHeld) return '';
    const out = neutralise(held);
    held = '';
    state = 'ground';
    return out;
  }

  /** A character that cannot continue the held sequence: the sequence is refused, the char re-read. */
  function abort(char: string): string {
    const out = neutralise(held);
    held = '';
    state = 'ground';
    return out + step(char);
  }

  return {
    push(text) {
      let out = '';
      let at = 0;
      // Fast path: copy runs of ordinary text in one slice; only special characters (and
      // everything while a sequence is held) go through the state machine one by one.
      while (at < text.length) {
        if (state === 'ground' || state === 'string') {
          SPECIAL.lastIndex = at;
          const match = SPECIAL.exec(text);
          const next = match === null ? text.length : match.index;
          if (next > at) out += text.slice(at, next);
          if (next === text.length) break;
          out += step(text[next]!);
          at = next + 1;
        } else {
          out += step(text[at]!);
          at += 1;
        }
      }
      return out;
    },

    flush() {
      const out = neutralise(held);
      held = '';
      state = 'ground';
      return out;
    },
  };
}

/** Sanitises one complete text (no state kept); see {@link createSanitizer}. */
export function sanitize(text: string): string {
  const sanitizer = createSanitizer();
  return sanitizer.push(text) + sanitizer.flush();
}
