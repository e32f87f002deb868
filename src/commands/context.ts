import type { Io } from '../io.js';

/** What cli.ts hands each command: the outside world, and where to put the exit status. */
export interface CommandContext {
  readonly io: Io;
  /** Records the status the process ends with once the action returns. */
  readonly finish: (exitStatus: number) => void;
}
