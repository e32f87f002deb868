/**
 * `runloop-tail demo`: the whole product on this machine, no account. Starts the local server on a
 * free loopback port with a fresh key, runs a short script that writes interleaved stdout and
 * stderr (colour, multi-byte text, a progress line redrawn with CR, pauses), cuts the connection
 * once on purpose, and follows it; ends with the script's exit status.
 */
import { Command } from 'commander';
import type { CommandContext } from './context.js';
import { colorOption, parseFollowOptions, type RawFollowOptions } from './follow-options.js';

/** The demo's remote command: about three seconds of output on both streams. */
export const DEMO_SCRIPT = [
  `printf '\\033[1mrunloop-tail demo\\033[0m: a command in a local devbox, followed live\\n'`,
  `for i in 1 2 3 4; do`,
  `  printf 'step %s/4: building module %s \\342\\234\\223  ünïcödé 日本語 😀\\n' "$i" "$i"`,
  `  printf 'warning: step %s is slow\\n' "$i" >&2`,
  `  sleep 0.25`,
  `done`,
  `for p in 0 20 40 60 80 100; do printf '\\rprogress: %3s%%' "$p"; sleep 0.15; done`,
  `printf '\\n'`,
  `printf 'the connection was cut on purpose halfway: every byte still arrives once, in order\\n'`,
  `printf '\\033[32mdone\\033[0m\\n'`,
].join('\n');

/** Body bytes after which the first stdout connection is cut (about halfway through the output). */
const CUT_AFTER_BYTES = 700;

/** The view options of a follow are the demo's only options. */
type DemoFlags = Pick<RawFollowOptions, 'color' | 'prefix' | 'timestamps' | 'json' | 'raw' | 'verbose'>;

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('run a short command on an embedded local server and follow it (no account needed)')
    .addOption(colorOption())
    .option('--no-color', 'the same as --color never')
    .option('--prefix', "label each line with 'stdout | ' or 'stderr | '")
    .option('--timestamps', 'start each line with its arrival time')
    .option('--json', 'one JSON object per line')
    .option('--raw', 'pass control sequences through unchanged')
    .option('-v, --verbose', 'say more about connections (on stderr)')
    .action(async (flags: DemoFlags) => {
      const { io } = context;
      const options = parseFollowOptions({ ...flags, maxRetries: '20', idleTimeout: '10' });
      // Loaded here so other commands (and --help) do not pay for the emulator and the follower.
      const [{ startServer, defaultDevboxId }, { runFollow }] = await Promise.all([import('../emulator/server.js'), import('./follow-run.js')]);
      let cut = false;
      const server = await startServer({
        port: 0,
        env: { PATH: io.env.PATH, HOME: io.env.HOME, LANG: io.env.LANG ?? 'C.UTF-8' },
        cutAfterBytes: CUT_AFTER_BYTES,
        retryAfterSeconds: 0,
        // One cut is the point; after the first stream connection ends, the server behaves.
        log: (line) => {
          if (!cut && line.includes('stream_stdout_updates')) {
            cut = true;
            server.setFaults({ cutAfterBytes: 0 });
          }
        },
      });
      try {
        const view = await server.execute(defaultDevboxId, DEMO_SCRIPT);
        if (io.stderr.isTTY === true || options.verbose) {
          io.stderr.write(
            `runloop-tail: demo server on ${server.url}; following ${view.execution_id} (the connection is cut once on purpose)\n`,
          );
        }
        const settings = { apiKey: server.apiKey, apiKeySource: 'flag' as const, baseUrl: server.url, baseUrlSource: 'flag' as const };
        context.finish(await runFollow(io, settings, { devboxId: defaultDevboxId, executionId: view.execution_id }, options));
      } finally {
        await server.close();
      }
    });
}
