/**
 * Gathers the bytes written to one output in one turn of the event loop and writes them in one
 * call. A socket read carries many events (a 64 KiB read of the benchmark's stream holds about
 * twenty), and each event used to be its own `write`: one system call per event to a file, one
 * write request per event to a pipe. The events of a read are handed over synchronously, so a
 * microtask run after them sees the whole read: one `write` per read per output.
 *
 * Order is kept: everything for one output goes through one batch, and `flush` writes what is
 * held before anyone else writes to that output (our notes, the spinner) or asks for back-pressure.
 */
import type { Output } from '../io.js';

export interface WriteBatch {
  /** Holds `bytes` for the output; written, with whatever else arrives this turn, in a microtask. */
  push(bytes: Buffer): void;
  /** Writes what is held now. */
  flush(): void;
}

/** A batch for `output`; `write` is called once per flush with everything held. */
export function createWriteBatch(write: (bytes: Buffer) => void): WriteBatch {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (held.length === 0) return;
    // One copy per read instead of one write per event; a single piece goes as it is.
    const bytes = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    write(bytes);
  };
  return {
    push(bytes) {
      if (bytes.length === 0) return;
      held.push(bytes);
      heldBytes += bytes.length;
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    flush,
  };
}

/** One batch per output, so stdout and stderr merged into one output keep their order. */
export function batchesFor(write: (output: Output, bytes: Buffer) => void): (output: Output) => WriteBatch {
  const batches = new Map<Output, WriteBatch>();
  return (output) => {
    let batch = batches.get(output);
    if (batch === undefined) {
      batch = createWriteBatch((bytes) => write(output, bytes));
      batches.set(output, batch);
    }
    return batch;
  };
}
