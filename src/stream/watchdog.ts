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
  // A stall (nothing at all) is not quiet: only bytes after the last data prove the peer alive.
  let aliveSinceData = false;
  // refresh() re-arms a timer in place: this runs for every read and every event.
  const deadTimer = setTimeout(on.dead, idleMs);
  const quietTimer: NodeJS.Timeout = setTimeout(function onQuiet() {
    if (aliveSinceData) on.quiet();
    quietTimer.refresh();
  }, idleMs);
  return {
    activity: () => void deadTimer.refresh(),
    keepAlive: () => {
      aliveSinceData = true;
    },
    data: () => {
      aliveSinceData = false;
      quietTimer.refresh();
    },
    stop() {
      clearTimeout(deadTimer);
      clearTimeout(quietTimer);
    },
  };
}
