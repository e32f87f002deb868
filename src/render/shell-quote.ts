/**
 * Quoting for a POSIX shell: the one helper for every command line runloop-tail prints (resume and
 * re-attach lines, `serve`'s exports, `exec`'s remote command).
 */

// Characters no POSIX shell treats specially anywhere in a word.
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
// C0, DEL and C1: inside single quotes a shell keeps them, but printed raw they reach the terminal.
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/**
 * Quotes one word so that a shell reads it back as exactly that word, and nothing else runs: safe
 * words as they are; anything else in single quotes (inside which nothing is special), a single
 * quote written as `'\''`, the empty word as `''`. A word with a control character is written in
 * ANSI-C quoting instead (`$'a\nb\x1b'`: bash, zsh, ksh, POSIX.1-2024), so the printed line holds no
 * control character at all and cannot act on the terminal showing it.
 */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  if (CONTROL.test(word)) return ansiCQuote(word);
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Like {@link shellQuote}, but a safe word is single-quoted too: for a word that goes inside
 * another shell text (a trap's command, a `case` pattern of a completion script), where a bare word
 * could take on a meaning there.
 */
export function shellQuoteAlways(word: string): string {
  const quoted = shellQuote(word);
  return quoted === word ? `'${word}'` : quoted;
}

/** `$'…'` with every control character, backslash and single quote escaped. */
function ansiCQuote(word: string): string {
  let out = "$'";
  for (const char of word) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === "'") out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (code <= 0x1f || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // C1 as its code point: `\xHH` would be a raw byte, not valid UTF-8.
    else if (code >= 0x80 && code <= 0x9f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}'`;
}

/** A command line of words, each quoted by {@link shellQuote}. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
