/**
 * Pre-rendered answers to the command lines that only print text (`--help`, `-h`, `--version`,
 * `-V`, `help <command>`, a bare `runloop-tail`), so that src/entry.ts can answer them without
 * loading commander and the CLI (start-up: 1.3× `node -e 0` through the full CLI, 1.0× this way;
 * BENCHMARKS.md). The build renders them with the built CLI itself (scripts/build.js), so they are
 * what the CLI would print; test/unit/help-answers.test.ts checks that they still are.
 *
 * Pure: no I/O here; src/entry.ts reads the table and writes the answer.
 */

/** The answers the build wrote to dist/help-answers.json. */
export interface HelpAnswers {
  /** The help width they were laid out for (src/cli.ts lays help out at {@link helpWidth}). */
  readonly width: number;
  /** The texts, each once (`--help`, `-h` and `help` print the same). */
  readonly texts: readonly string[];
  /** By {@link answerKey} of the arguments: [index in `texts` of what goes to stdout, exit status]. */
  readonly answers: Readonly<Record<string, readonly [number, number]>>;
}

/** What a command line prints on stdout (nothing on stderr) and the status it exits with. */
export interface HelpAnswer {
  readonly stdout: string;
  readonly status: number;
}

/** The columns help is laid out for: a terminal's width up to 80, else (a pipe, a file) 80. */
export function helpWidth(stdout: { readonly isTTY?: boolean; readonly columns?: number }): number {
  return Math.min(stdout.isTTY === true ? (stdout.columns ?? 80) : 80, 80);
}

/** The table key of a command line: its arguments, unambiguously (an argument may hold spaces). */
export function answerKey(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

const ANSWERING_WORDS = new Set(['-h', '--help', '-V', '--version', 'help']);

/**
 * Whether the table could hold an answer for these arguments: a cheap test, so that a command line
 * that does real work does not read the table at all.
 */
export function mayHaveAnswer(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length <= 4 && argv.some((word) => ANSWERING_WORDS.has(word)));
}

/**
 * The pre-rendered answer for these arguments on this stdout, or undefined when the CLI has to
 * answer itself: arguments not in the table, or a terminal narrower than the table's width (help
 * is laid out for the terminal's width).
 */
export function findAnswer(
  table: HelpAnswers,
  argv: readonly string[],
  stdout: { readonly isTTY?: boolean; readonly columns?: number },
): HelpAnswer | undefined {
  const key = answerKey(argv);
  const entry = Object.hasOwn(table.answers, key) ? table.answers[key] : undefined;
  if (entry === undefined || helpWidth(stdout) !== table.width) return undefined;
  const text = table.texts[entry[0]];
  return text === undefined ? undefined : { stdout: text, status: entry[1] };
}

/** How a synchronous write of everything ended. */
export type WriteOutcome =
  | { readonly kind: 'written' }
  /** The reader went away (EPIPE): `| head`. */
  | { readonly kind: 'closed' }
  /** The descriptor is non-blocking and full (EAGAIN): the bytes from `from` on are still to write. */
  | { readonly kind: 'would-block'; readonly from: number };

/**
 * Writes all of `bytes` with `write` (fs.writeSync's shape: returns how many bytes it took),
 * looping over partial writes. EPIPE and EAGAIN are outcomes; any other error is thrown.
 */
export function writeAllSync(bytes: Uint8Array, write: (bytes: Uint8Array, offset: number, length: number) => number): WriteOutcome {
  let at = 0;
  while (at < bytes.length) {
    try {
      at += write(bytes, at, bytes.length - at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return { kind: 'closed' };
      if (code === 'EAGAIN') return { kind: 'would-block', from: at };
      throw error;
    }
  }
  return { kind: 'written' };
}
