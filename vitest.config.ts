import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { watForVite } from './scripts/wat.js';

export default defineConfig({
  // `import binary from './x.wat'` (src/stream/json-string.ts) gives the assembled WebAssembly.
  plugins: [watForVite],
  test: {
    include: ['test/**/*.test.ts'],
    // Only a broken test gets near these: every wait inside a test has its own, shorter time-out
    // (test/helpers/wait.ts PATIENCE_MS), generous so that a busy machine gives the same answer.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Most of an end-to-end test is waiting on child processes and sockets, so a worker per core
    // at least (vitest's own default for `run` is one less than the cores: one worker on two).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
