import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of an end-to-end test is waiting on child processes and sockets, so a worker per core
    // at least (vitest's own default for `run` is one less than the cores: one worker on two).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
