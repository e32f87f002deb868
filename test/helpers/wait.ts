/**
 * Synchronisation for end-to-end tests: wait for a condition (never for a fixed time), and gates a
 * remote command waits at until the test opens them, so an order between events is made certain
 * instead of hoped for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * How long any wait in the tests may take before the test is called broken. Generous on purpose:
 * the suite must give the same answer on a slow or busy machine (npm run test:stress runs it with
 * every core taken by a CPU hog), and a passing test never waits this long.
 */
export const PATIENCE_MS = 90_000;

/**
 * Polls `probe` until it returns something other than undefined, within a generous time-out (the
 * suite runs under load: time-outs are there to end a broken test, not to measure speed).
 */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = PATIENCE_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A gate a remote shell command waits at until the test opens it (a file appears). */
export interface Gate {
  readonly path: string;
  /** The sh snippet that waits until the gate is open. */
  readonly wait: string;
  /** Opens it. */
  open(): void;
}

/** Gates in a temp folder of their own. */
export class Gates {
  readonly dir = mkdtempSync(join(tmpdir(), 'rt-gates-'));
  private count = 0;

  /** A new, closed gate. */
  gate(name = 'gate'): Gate {
    const path = join(this.dir, `${name}-${++this.count}`);
    return { path, wait: `while [ ! -e '${path}' ]; do sleep 0.02; done`, open: () => writeFileSync(path, '') };
  }

  /** Removes the folder (commands still waiting are the server's to stop). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
