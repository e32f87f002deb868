/**
 * Seeded scenarios for end-to-end runs: a command that writes known bytes to stdout and stderr
 * (multi-byte text, long lines, CR progress, pauses for live output, maybe no final newline) and
 * exits with a known status, plus a fault schedule for the server. The same seed gives the same run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/emulator/random.js';
import type { FaultOptions } from '../../src/emulator/server.js';

/** The seeded PRNG of a scenario: the emulator's own, seeded with the number as it is. */
export const prng = mulberry32;

export interface Piece {
  readonly stream: 'stdout' | 'stderr';
  readonly bytes: Buffer;
  /** Pause before writing it, ms. */
  readonly pauseMs: number;
}

export interface Scenario {
  readonly seed: number;
  readonly pieces: readonly Piece[];
  readonly exitStatus: number;
  readonly faults: FaultOptions;
  readonly expected: { readonly stdout: Buffer; readonly stderr: Buffer };
}

const WORDS = ['alpha', 'beta', 'é', '€uro', '😀', '日本語', 'line', '\t', 'x', '\x1b[31mred\x1b[0m'];

function text(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += WORDS[Math.floor(random() * WORDS.length)] + (random() < 0.1 ? '' : ' ');
  return out;
}

export interface ScenarioLimits {
  /** Largest single piece (a long line), bytes. Default 100 KB. */
  readonly maxLine?: number;
  /** Number of pieces. Default 10–80. */
  readonly pieces?: number;
  /** Longest pause between pieces, ms. Default 15. */
  readonly maxPauseMs?: number;
}

/** The scenario for a seed. */
export function scenario(seed: number, limits: ScenarioLimits = {}): Scenario {
  const random = prng(seed);
  const count = limits.pieces ?? 10 + Math.floor(random() * 70);
  const maxLine = limits.maxLine ?? 100_000;
  const maxPause = limits.maxPauseMs ?? 15;
  const pieces: Piece[] = [];
  for (let i = 0; i < count; i++) {
    const stream = random() < 0.6 ? 'stdout' : 'stderr';
    const roll = random();
    let body: string;
    if (roll < 0.05) body = `${text(random, maxLine)}\n`; // a long line
    else if (roll < 0.15) body = `progress ${Math.floor(random() * 100)}%\r`; // a progress redraw
    else if (roll < 0.2) body = text(random, 20); // a partial line
    else if (roll < 0.25) body = `crlf ${text(random, 10)}\r\n`;
    else body = `${i} ${text(random, 5 + Math.floor(random() * 120))}\n`;
    pieces.push({ stream, bytes: Buffer.from(body, 'utf8'), pauseMs: random() < 0.3 ? Math.floor(random() * maxPause) : 0 });
  }
  if (random() < 0.5) pieces.push({ stream: 'stdout', bytes: Buffer.from('no final newline é', 'utf8'), pauseMs: 0 });
  const exitStatus = [0, 0, 1, 2, 7, 42, 127, 255][Math.floor(random() * 8)] ?? 0;
  const faults: FaultOptions = {
    seed,
    offsetMode: random() < 0.5 ? 'end' : 'start',
    chunkSize: [1 + Math.floor(random() * 16), 64 + Math.floor(random() * 40_000)],
    cutProbability: random() * 0.08,
    errorProbability: random() * 0.25,
    retryAfterSeconds: 0,
    stallProbability: random() * 0.05,
    stallMs: Math.floor(random() * 40),
    resendProbability: random() * 0.6,
    resendBytes: Math.floor(random() * 4000),
  };
  const join = (stream: 'stdout' | 'stderr') => Buffer.concat(pieces.filter((p) => p.stream === stream).map((p) => p.bytes));
  return { seed, pieces, exitStatus, faults, expected: { stdout: join('stdout'), stderr: join('stderr') } };
}

/** Writes the scenario's command as a Node script in `dir`; returns the shell command that runs it. */
export function writeScenarioScript(dir: string, s: Scenario): string {
  const path = join(dir, `scenario-${s.seed}.cjs`);
  const data = JSON.stringify(s.pieces.map((p) => [p.stream === 'stdout' ? 1 : 2, p.bytes.toString('base64'), p.pauseMs]));
  writeFileSync(
    path,
    `const pieces = ${data};
(async () => {
  for (const [fd, b64, pause] of pieces) {
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    const out = fd === 1 ? process.stdout : process.stderr;
    if (!out.write(Buffer.from(b64, 'base64'))) await new Promise((r) => out.once('drain', r));
  }
  process.exitCode = ${s.exitStatus};
})();
`,
  );
  return `'${process.execPath}' '${path}'`;
}

/** A soak scenario: a base scenario with more ways to misbehave, and how to run the follower. */
export interface SoakScenario extends Scenario {
  /** Extra arguments for the CLI after `--max-retries 50`. */
  readonly cliArgs: readonly string[];
  /** Start the follower only once the execution has completed (else while it runs). */
  readonly afterCompletion: boolean;
}

/**
 * The soak's scenario for a seed. The base scenario is drawn first, unchanged; the extras come from
 * a second generator, so `scenario(seed)` (tail-exact) and `soakScenario(seed)` agree on the base.
 * Extras: slow or bursty output, a large output, an empty stream, any exit status 0-255, connections
 * cut after a byte budget, server idle time-outs (clean ends while the command runs), keep-alive
 * comments, more error statuses, a client idle time-out, and following a completed execution.
 * Gaps are left out: they make the output incomplete by design (the bad-input tests cover them).
 */
export function soakScenario(seed: number): SoakScenario {
  const base = scenario(seed);
  const random = prng(seed ^ 0x50a1c0de);
  let pieces = [...base.pieces];
  const pace = random();
  if (pace < 0.15) {
    // Slow output: some pieces wait up to 150 ms (about 2 s in all at most).
    let budget = 2000;
    pieces = pieces.map((piece) => {
      const pauseMs = random() < 0.2 ? Math.min(budget, Math.floor(random() * 150)) : piece.pauseMs;
      budget -= pauseMs;
      return { ...piece, pauseMs: Math.max(0, pauseMs) };
    });
  } else if (pace < 0.3) {
    pieces = pieces.map((piece) => ({ ...piece, pauseMs: 0 })); // one burst
  }
  const shape = random();
  if (shape < 0.05) pieces = pieces.filter((piece) => piece.stream === 'stdout'); // no stderr at all
  else if (shape < 0.08) pieces = []; // no output at all
  else if (shape < 0.13) {
    // A large output: 1-3 MB of multi-byte text in long lines, on either stream.
    const stream = random() < 0.5 ? 'stdout' : 'stderr';
    const lines: string[] = [];
    const target = (1 + Math.floor(random() * 3)) * 1024 * 1024;
    for (let size = 0; size < target; ) {
      const line = `${lines.length} ${text(random, 200 + Math.floor(random() * 4000))}\n`;
      lines.push(line);
      size += Buffer.byteLength(line);
    }
    pieces.splice(Math.floor(random() * (pieces.length + 1)), 0, { stream, bytes: Buffer.from(lines.join(''), 'utf8'), pauseMs: 0 });
  }
  const exitStatus = random() < 0.3 ? Math.floor(random() * 256) : base.exitStatus;
  const faults: FaultOptions = { ...base.faults };
  if (random() < 0.2) faults.cutAfterBytes = 16_384 + Math.floor(random() * 200_000);
  if (random() < 0.15) faults.idleTimeoutMs = 30 + Math.floor(random() * 300);
  if (random() < 0.15) faults.keepAliveMs = 10 + Math.floor(random() * 50);
  if (random() < 0.2) faults.errorStatuses = [408, 429, 500, 502, 503, 504];
  if (random() < 0.05) {
    // A real Retry-After, but rarely: each one costs a second.
    faults.retryAfterSeconds = 1;
    faults.errorProbability = Math.min(faults.errorProbability ?? 0, 0.05);
  }
  const cliArgs = random() < 0.15 ? ['--idle-timeout', `${(0.2 + random() * 0.8).toFixed(1)}s`] : [];
  const afterCompletion = random() < 0.15;
  const join = (stream: 'stdout' | 'stderr') => Buffer.concat(pieces.filter((p) => p.stream === stream).map((p) => p.bytes));
  return {
    seed,
    pieces,
    exitStatus,
    faults,
    expected: { stdout: join('stdout'), stderr: join('stderr') },
    cliArgs,
    afterCompletion,
  };
}
