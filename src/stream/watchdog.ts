/**
 * Watches one stream connection for silence. No bytes at all for `idleMs` (not even keep-alive
 * comments): the connection is dead. No data for `idleMs` but keep-alive comments since the last data: the
 * connection is alive and the command is quiet, or the service keeps a finished stream open; the
 * caller checks the execution's status.
 */
export interface Watchdog {
  /** Any bytes arrived. */
  activity(): void;
  /** A keep-alive comment arrived: the peer is alive. */
  keepAlive(): void;
  /** An event with output arrived. */
  data(): void;
  stop(): void;
}

export function watchConnection(idleMs: number, on: { dead: () => void; quiet: () => void }): Watchdog {
  let deadTimer: NodeJS.Timeout | undefined;
  let quietTimer: NodeJS.Timeout | undefined;
  // A stall (nothing at all) is not quiet: only bytes after the last data prove the peer alive.
  let aliveSinceData = false;
  const armDead = () => {
    clearTimeout(deadTimer);
    deadTimer = setTimeout(on.dead, idleMs);
  };
  const armQuiet = () => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      if (aliveSinceData) on.quiet();
      armQuiet();
    }, idleMs);
  };
  armDead();
  armQuiet();
  return {
    activity: armDead,
    keepAlive: () => {
      aliveSinceData = true;
    },
    data: () => {
      aliveSinceData = false;
      armQuiet();
    },
    stop() {
      clearTimeout(deadTimer);
      clearTimeout(quietTimer);
    },
  };
}
