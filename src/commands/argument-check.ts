/**
 * A look at the command line before commander parses it, for the mistakes commander cannot see
 * because `tail` is the default command (any first word that is not a command is taken as a devbox
 * id): a misspelt command (`exce`), `version` for `--version`, `help <unknown>`, and the two ids in
 * the wrong order. Pure: words in, a verdict out.
 *
 * Ids are never refused for their shape: the service may issue ids of any shape, so only a plain
 * word (letters and hyphens, no digit, `_`, `.`, `:` or `/`) close to a command name is refused;
 * anything else goes on, at most with a hint.
 */

/** What to do with a command line. */
export type ArgumentVerdict =
  /** Nothing to say: parse it. */
  | { readonly kind: 'ok' }
  /** No words at all: print the help. */
  | { readonly kind: 'help' }
  /** Refuse it (exit 2, nothing contacted) with this message. */
  | { readonly kind: 'refuse'; readonly message: string }
  /** Parse it, after saying this on stderr. */
  | { readonly kind: 'hint'; readonly message: string };

/** What {@link checkArguments} needs to know about the program. */
export interface ArgumentRules {
  /** The command names, `help` included. */
  readonly commands: readonly string[];
  /** The default command (its name may be typed, then the ids follow it). */
  readonly defaultCommand: string;
  /** Options that take a value as the next word (`--color`, `--timeout`…), to skip that word. */
  readonly valueOptions: ReadonlySet<string>;
  /** Words people type for a program option, e.g. `version` → `--version`. */
  readonly optionWords?: Readonly<Record<string, string>>;
}

// A plain word: what a command name looks like, and what no Runloop id looks like (they carry a
// prefix and an underscore, e.g. dbx_…, exn_…).
const PLAIN_WORD = /^[A-Za-z][A-Za-z-]*$/;

/**
 * The edit distance between two words, counting a swap of two neighbouring letters as one edit
 * (optimal string alignment), case-insensitive.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The command a mistyped word most likely meant, or undefined when none is close: one edit for
 * words of up to four letters, two for longer ones, the start of a command name (three letters
 * at least: `conf` → `config`), or five first letters in common (`complete` → `completion`). Ties
 * go to the earlier command in `commands`.
 */
export function suggestCommand(word: string, commands: readonly string[]): string | undefined {
  if (!PLAIN_WORD.test(word)) return undefined;
  const lower = word.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of commands) {
    if (name === lower) return name;
    const distance = (lower.length >= 3 && name.startsWith(lower)) || commonPrefix(lower, name) >= 5 ? 1 : editDistance(lower, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** The positional words of a command line: options and their values skipped, up to `--`. */
export function positionalWords(argv: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word.startsWith('-') && word !== '-') {
      if (!word.includes('=') && valueOptions.has(word)) i++;
      continue;
    }
    words.push(word);
  }
  return words;
}

function unknownCommand(word: string, rules: ArgumentRules): string {
  const option = rules.optionWords?.[word.toLowerCase()];
  if (option !== undefined) return `unknown command '${word}' — did you mean '${option}'?`;
  const suggestion = suggestCommand(word, rules.commands);
  return suggestion === undefined
    ? `unknown command '${word}' (see runloop-tail --help)`
    : `unknown command '${word}' — did you mean '${suggestion}'?`;
}

// Runloop's id prefixes, for the hint about their order.
const EXECUTION_PREFIX = /^exn_/i;
const DEVBOX_PREFIX = /^dbx_/i;

/** Whether two ids look swapped: an execution id where the devbox goes and a devbox id after it. */
function looksSwapped(first: string | undefined, second: string | undefined): boolean {
  return first !== undefined && second !== undefined && EXECUTION_PREFIX.test(first) && DEVBOX_PREFIX.test(second);
}

/** The hint for swapped ids in the `<devbox>/<execution>` or `<devbox> <execution>` forms. */
function swappedHint(words: readonly string[]): string | undefined {
  const pairs: [string, string][] = [];
  for (const word of words) {
    const [first, second, ...rest] = word.split('/');
    if (rest.length === 0 && first !== undefined && second !== undefined) pairs.push([first, second]);
  }
  if (words.length >= 2) pairs.push([words[0]!, words[1]!]);
  const swapped = pairs.find(([first, second]) => looksSwapped(first, second));
  if (swapped === undefined) return undefined;
  const [execution, devbox] = swapped;
  return `hint: '${execution}' looks like an execution id and '${devbox}' like a devbox id; the devbox comes first: runloop-tail ${devbox} ${execution}`;
}

/** Looks at a command line (the words after the program name) before it is parsed. */
export function checkArguments(argv: readonly string[], rules: ArgumentRules): ArgumentVerdict {
  if (argv.length === 0) return { kind: 'help' };
  const words = positionalWords(argv, rules.valueOptions);
  const first = words[0];
  if (first === undefined) return { kind: 'ok' };
  if (first === 'help') {
    const topic = words[1];
    if (topic !== undefined && !rules.commands.includes(topic)) return { kind: 'refuse', message: unknownCommand(topic, rules) };
    return { kind: 'ok' };
  }
  let ids = words;
  if (first === rules.defaultCommand) ids = words.slice(1);
  else if (rules.commands.includes(first)) return { kind: 'ok' };
  else if (PLAIN_WORD.test(first) && (suggestCommand(first, rules.commands) !== undefined || rules.optionWords?.[first.toLowerCase()] !== undefined)) {
    return { kind: 'refuse', message: unknownCommand(first, rules) };
  }
  const hint = swappedHint(ids);
  return hint === undefined ? { kind: 'ok' } : { kind: 'hint', message: hint };
}
