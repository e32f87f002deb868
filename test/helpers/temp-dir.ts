/** A temporary directory for one test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Makes a fresh directory under the system's temporary one (its name starts with `prefix`) as
 * the file is loaded, and registers the afterAll that removes it with all it holds; call it at
 * the top level of a test file (or of a describe, for that block's tests).
 */
export function tempDirForFile(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
