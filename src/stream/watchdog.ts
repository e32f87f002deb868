/**
 * Watches one stream connection for silence. No bytes at all for `idleMs` (no response head, not
 * even a keep-alive): the connection is dead. Bytes but no data for `idleMs` (keep-alive comments,
 * a trickle, an event that never ends): the connection is alive and the command is quiet, or the
 * service keeps a finished stream open; the caller checks the execution's status. Only whole
 * events with output count as data, so a trickle of bytes cannot keep a finished stream open.
 */
export interface Watchdog {
  /** Any bytes arrived (the response head, a read of the body). */
  activity(): void;
  /** A keep-alive comment arrived: the peer is alive (bytes already say so; kept for callers). */
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
    activity: () => {
      aliveSinceData = true;
      deadTimer.refresh();
    },
    keepAlive: () => {
      aliveSinceData = true;
    },
    data: () => {
      // The read that carried this event called activity() just before: that was data, not life.
      aliveSinceData = false;
      quietTimer.refresh();
    },
    stop() {
      clearTimeout(deadTimer);
      clearTimeout(quietTimer);
    },
  };
}
