/**
 * `runloop-tail serve`: the local Runloop-compatible server on the command line. Validates every
 * flag into ServerOptions, prints shell exports for the URL and key, runs until SIGINT/SIGTERM,
 * then stops the server and every process it started.
 */
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_OK, TailError } from '../errors.js';
import { isLoopbackHost } from '../settings/base-url.js';
import { checkedBy, probability, wholeNumber } from './values.js';
import { shellQuote } from '../render/shell-quote.js';
import type { CommandContext } from './context.js';
import { defaultDevboxId } from '../emulator/default-devbox.js';
import type { OffsetMode, RunningServer, ServerOptions } from '../emulator/server.js';

/** The flags as commander hands them over (strings, and the list of --devbox). */
export interface ServeFlags {
  port?: string;
  host?: string;
  apiKey?: string;
  devbox?: string[];
  dataDir?: string;
  offsetMode?: string;
  seed?: string;
  chunkSize?: string;
  cutProbability?: string;
  cutAfterBytes?: string;
  errorProbability?: string;
  errorStatuses?: string;
  retryAfter?: string;
  stallProbability?: string;
  stallMs?: string;
  resendProbability?: string;
  resendBytes?: string;
  gapProbability?: string;
  gapBytes?: string;
  idleTimeoutMs?: string;
  keepAliveMs?: string;
  waitHoldMs?: string;
  killGraceMs?: string;
  quiet?: boolean;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

function usage(flag: string, message: string): TailError {
  return new TailError('usage', `${flag}: ${message}`);
}

function integer(flag: string, value: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = wholeNumber(value);
  if (number === undefined || !Number.isSafeInteger(number) || number < min || number > max) {
    throw usage(flag, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

function chance(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = probability(value);
  if (number === undefined) throw usage(flag, `expected a probability from 0 to 1, got ${JSON.stringify(value)}`);
  return number;
}

function chunkSize(value: string | undefined): number | readonly [number, number] | undefined {
  if (value === undefined) return undefined;
  const range = /^(\d+)-(\d+)$/.exec(value.trim());
  if (range === null) return integer('--chunk-size', value, 1);
  const min = integer('--chunk-size', range[1], 1) ?? 1;
  const max = integer('--chunk-size', range[2], 1) ?? 1;
  if (max < min) throw usage('--chunk-size', `range ${value} is empty (MIN-MAX with MIN <= MAX)`);
  return [min, max];
}

function statuses(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((item) => item.trim());
  if (list.length === 0 || list.some((item) => item === '')) throw usage('--error-statuses', `expected a list like 408,429,503, got ${JSON.stringify(value)}`);
  return list.map((item) => integer('--error-statuses', item, 400, 599) ?? 500);
}

function hostName(value: string): string {
  if (value.trim() === '') throw usage('--host', 'expected a host name or address');
  return value;
}

function devboxId(value: string): string {
  if (!/^[\w.-]+$/.test(value)) throw usage('--devbox', `expected an id of letters, digits, _ . -, got ${JSON.stringify(value)}`);
  return value;
}

const OFFSET_MODES: readonly OffsetMode[] = ['end', 'start'];

function offsetMode(value: string | undefined): OffsetMode | undefined {
  if (value === undefined || value === 'end' || value === 'start') return value;
  throw usage('--offset-mode', `expected end or start, got ${JSON.stringify(value)}`);
}

/**
 * Turns the flags into ServerOptions, or throws a usage TailError naming the flag. On the command
 * line each value was already checked as commander parsed it (the argParsers in registerServe call
 * the same checkers); here they are converted, and the checks that involve several flags are made.
 */
export function parseServeFlags(flags: ServeFlags, env: Readonly<Record<string, string | undefined>>): ServerOptions {
  const apiKey = flags.apiKey ?? env.RUNLOOP_API_KEY;
  if (apiKey !== undefined && apiKey.trim() === '') throw usage('--api-key', 'the key must not be empty');
  if (flags.host !== undefined) hostName(flags.host);
  for (const devbox of flags.devbox ?? []) devboxId(devbox);
  const options: ServerOptions = {
    port: integer('--port', flags.port, 0, 65535) ?? 0,
    host: flags.host ?? '127.0.0.1',
    apiKey,
    devboxes: flags.devbox ?? [],
    dataDir: flags.dataDir,
    offsetMode: offsetMode(flags.offsetMode),
    seed: integer('--seed', flags.seed, 0, 2 ** 32 - 1),
    chunkSize: chunkSize(flags.chunkSize),
    cutProbability: chance('--cut-probability', flags.cutProbability),
    cutAfterBytes: integer('--cut-after-bytes', flags.cutAfterBytes),
    errorProbability: chance('--error-probability', flags.errorProbability),
    errorStatuses: statuses(flags.errorStatuses),
    retryAfterSeconds: integer('--retry-after', flags.retryAfter),
    stallProbability: chance('--stall-probability', flags.stallProbability),
    stallMs: integer('--stall-ms', flags.stallMs),
    resendProbability: chance('--resend-probability', flags.resendProbability),
    resendBytes: integer('--resend-bytes', flags.resendBytes),
    gapProbability: chance('--gap-probability', flags.gapProbability),
    gapBytes: integer('--gap-bytes', flags.gapBytes),
    idleTimeoutMs: integer('--idle-timeout-ms', flags.idleTimeoutMs),
    keepAliveMs: integer('--keep-alive-ms', flags.keepAliveMs),
    waitHoldMs: integer('--wait-hold-ms', flags.waitHoldMs),
    killGraceMs: integer('--kill-grace-ms', flags.killGraceMs),
  };
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw usage(flags.tlsCert === undefined ? '--tls-key' : '--tls-cert', 'give both --tls-cert and --tls-key (PEM files)');
  }
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    options.tls = { cert: readPem('--tls-cert', flags.tlsCert), key: readPem('--tls-key', flags.tlsKey) };
  } else if (flags.tls === true) {
    options.tls = true;
  }
  if ((options.resendProbability ?? 0) > 0 && !options.resendBytes) throw usage('--resend-probability', 'needs --resend-bytes N too');
  if ((options.gapProbability ?? 0) > 0 && !options.gapBytes) throw usage('--gap-probability', 'needs --gap-bytes N too');
  if ((options.stallProbability ?? 0) > 0 && !options.stallMs) throw usage('--stall-probability', 'needs --stall-ms N too');
  return options;
}

function readPem(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usage(flag, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes('-----BEGIN ')) throw usage(flag, `${file} is not a PEM file`);
  return text;
}

/**
 * The lines printed on start: those a shell can eval (with a generated TLS certificate, the CA to
 * trust too), and a hint as a comment.
 */
export function exportLines(server: Pick<RunningServer, 'url' | 'apiKey'> & { caFile?: string | undefined }, devboxes: readonly string[]): string {
  return [
    `export RUNLOOP_BASE_URL=${shellQuote(server.url)}`,
    `export RUNLOOP_API_KEY=${shellQuote(server.apiKey)}`,
    ...(server.caFile === undefined ? [] : [`export NODE_EXTRA_CA_CERTS=${shellQuote(server.caFile)}`]),
    `# runloop-tail serve: listening; devboxes: ${[defaultDevboxId, ...devboxes].join(', ')}. In another shell run the ` +
      `export lines above, then: runloop-tail exec ${defaultDevboxId} -- echo hello. Ctrl-C stops the server.`,
    '',
  ].join('\n');
}

function collectDevbox(value: string, previous: string[] = []): string[] {
  return [...previous, devboxId(value)];
}

/** An argParser checking a whole number from `min` to `max` for `flag`. */
function integerFlag(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): (text: string) => string {
  return checkedBy((text) => integer(flag, text, min, max));
}

/** An argParser checking a probability for `flag`. */
function chanceFlag(flag: string): (text: string) => string {
  return checkedBy((text) => chance(flag, text));
}

function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function serve(flags: ServeFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const options = parseServeFlags(flags, io.env);
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    io.stderr.write(
      `runloop-tail serve: warning: --host ${host} lets other machines reach this server, and anyone with the key runs commands here\n`,
    );
  }
  // Loaded here so other commands do not pay for the emulator at start-up.
  const { startServer } = await import('../emulator/server.js');
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      env: { ...io.env },
      log: flags.quiet ? undefined : (line) => io.stderr.write(`runloop-tail serve: ${line}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof RangeError) throw new TailError('usage', error.message, { cause: error });
    // A certificate and key that do not match, or a key https cannot read.
    if (/^ERR_OSSL|^ERR_SSL/.test(code ?? '')) throw new TailError('usage', `--tls-cert/--tls-key: ${(error as Error).message}`, { cause: error });
    const where = `${host}:${options.port ?? 0}`;
    const hint = code === 'EADDRINUSE' ? 'the port is in use; pick another --port' : 'check --host and --port';
    throw new TailError('network', `cannot listen on ${where}: ${hint}`, { cause: error });
  }
  io.stdout.write(exportLines(server, options.devboxes ?? []));
  await whenAborted(io.signal);
  await server.close();
  context.finish(EXIT_OK);
}

/** Adds the `serve` command. */
export function registerServe(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('run a local Runloop-compatible API (for tests, demos and trying runloop-tail without an account)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', integerFlag('--port', 0, 65535), '0')
    .option('--host <host>', 'address to bind (other machines can reach anything but loopback)', checkedBy(hostName), '127.0.0.1')
    .option('--api-key <key>', 'bearer key clients must send (default: RUNLOOP_API_KEY, else a generated one)')
    .option('--devbox <id>', `another devbox id besides ${defaultDevboxId} (repeatable)`, collectDevbox)
    .option('--data-dir <dir>', 'keep execution outputs in this directory (default: a temporary one, removed on exit)')
    .addOption(
      new Option('--offset-mode <mode>', "what a chunk's offset means: end (after the chunk) or start (its first byte)")
        .choices(OFFSET_MODES)
        // Our own message for a wrong value (naming the flag, as the others do); choices() stays for the help and completion.
        .argParser(checkedBy(offsetMode))
        .default('end'),
    )
    .option('--seed <n>', 'seed for every injected fault, so a failure replays', integerFlag('--seed', 0, 2 ** 32 - 1), '1')
    .option('--chunk-size <n|min-max>', 'max output bytes per event, fixed or a random range', checkedBy(chunkSize))
    .option('--cut-probability <p>', 'per event: cut the connection in the middle of it', chanceFlag('--cut-probability'))
    .option('--cut-after-bytes <n>', 'cut each stream connection after about this many bytes', integerFlag('--cut-after-bytes'))
    .option('--error-probability <p>', 'per stream request: answer with an error status instead', chanceFlag('--error-probability'))
    .option('--error-statuses <list>', 'statuses for --error-probability', checkedBy(statuses), '408,429,500,503')
    .option('--retry-after <seconds>', 'Retry-After on 429 and 503 answers', integerFlag('--retry-after'), '1')
    .option('--stall-probability <p>', 'per event: pause --stall-ms before it', chanceFlag('--stall-probability'))
    .option('--stall-ms <ms>', 'length of a stall', integerFlag('--stall-ms'))
    .option('--resend-probability <p>', 'per resumed stream: start up to --resend-bytes before the offset asked for', chanceFlag('--resend-probability'))
    .option('--resend-bytes <n>', 'most bytes a resend repeats', integerFlag('--resend-bytes'))
    .option('--gap-probability <p>', 'per stream request: skip up to --gap-bytes after the offset (lost retention)', chanceFlag('--gap-probability'))
    .option('--gap-bytes <n>', 'most bytes a gap skips', integerFlag('--gap-bytes'))
    .option('--idle-timeout-ms <ms>', 'after this long with nothing to send, end a stream with an error event 408, as the service does (0 = never)', integerFlag('--idle-timeout-ms'), '60000')
    .option('--keep-alive-ms <ms>', 'send an SSE comment after this long without a write (0 = never)', integerFlag('--keep-alive-ms'))
    .option('--wait-hold-ms <ms>', 'how long wait_for_status holds before its 408', integerFlag('--wait-hold-ms'), '25000')
    .option('--kill-grace-ms <ms>', 'SIGTERM to SIGKILL grace for kill and shutdown', integerFlag('--kill-grace-ms'), '2000')
    .option('--quiet', 'do not log requests on stderr')
    .option('--tls', 'serve HTTPS with a certificate signed by a CA generated at start; prints NODE_EXTRA_CA_CERTS to trust it')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .action((flags: ServeFlags) => serve(flags, context));
}
