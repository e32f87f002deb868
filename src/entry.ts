/**
 * The process's first module (bin/runloop-tail.js loads its build, dist/entry.cjs): answers the
 * command lines that only print text from the table the build pre-rendered (src/help-answers.ts),
 * and hands every other command line to src/cli.ts's main(), which from then on is the only module
 * that touches the process.
 *
 * Why: `--help` through the CLI cost 1.3× `node -e 0`; what it adds is Node's ESM loader (an empty
 * .mjs alone costs ~1.1×) and compiling commander with the CLI. This module is CommonJS and small,
 * so answering from it costs what `node -e 0` costs (BENCHMARKS.md, start-up). The CLI it hands
 * over to is CommonJS too (dist/cli.cjs, read by read-in-pieces.ts; from the sources, this import()).
 */
import { existsSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { isatty } from 'node:tty';
import { EXIT_PIPE } from './errors.js';
import { requireInPieces } from './read-in-pieces.js';
import { findAnswer, mayHaveAnswer, writeAllSync, type HelpAnswer, type HelpAnswers } from './help-answers.js';

/** The pre-rendered answers next to this file, or undefined without them (the CLI then answers). */
function readAnswers(): HelpAnswers | undefined {
  try {
    return JSON.parse(readFileSync(path.join(__dirname, 'help-answers.json'), 'utf8')) as HelpAnswers;
  } catch {
    return undefined;
  }
}

/** Prints an answer and sets the exit status, as main() would have. */
function printAnswer(answer: HelpAnswer): void {
  process.exitCode = answer.status;
  // fs.writeSync on fd 1 rather than process.stdout: creating the stream is start-up time too.
  const bytes = Buffer.from(answer.stdout);
  const outcome = writeAllSync(bytes, (chunk, offset, length) => writeSync(1, chunk, offset, length));
  if (outcome.kind === 'closed') process.exitCode = EXIT_PIPE;
  if (outcome.kind !== 'would-block') return;
  // A non-blocking stdout that is full: let Node's stream wait until it drains.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_PIPE);
    throw error;
  });
  process.stdout.write(bytes.subarray(outcome.from));
}

const argv = process.argv.slice(2);
const table = mayHaveAnswer(argv) ? readAnswers() : undefined;
// The terminal's width decides the help's layout; process.stdout is built only for a terminal.
const answer = table && findAnswer(table, argv, isatty(1) ? { isTTY: true, columns: process.stdout.columns } : { isTTY: false });
if (answer !== undefined) {
  printAnswer(answer);
} else {
  // The built CLI next to this file (dist/cli.cjs), read in pieces to keep malloc giving memory
  // back (read-in-pieces.ts: 2 MiB less peak RSS over a 1 GiB follow); from the sources, cli.ts.
  const built = path.join(__dirname, 'cli.cjs');
  if (existsSync(built)) void (requireInPieces(built) as typeof import('./cli.js')).main();
  else void import('./cli.js').then(({ main }) => main());
}
