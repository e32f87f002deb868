/**
 * One stream's bytes as whole lines, for outputs where the two streams meet (a terminal, the
 * line modes): a partial line waits for its newline, the end of the stream, or a short quiet spell
 * while connected (a reconnect is not the remote command being quiet).
 */
import { createLineAssembler, type AssembledLine } from '../render/line-assembler.js';

/** How long a partial line waits for its newline before it is shown anyway. */
export const QUIET_SPELL_MS = 300;

export interface LineBuffer {
  push(bytes: Uint8Array, offset: number): void;
  connected(connected: boolean): void;
  /** Hands out whatever is held (end of stream, stopping early). */
  flush(): void;
}

export function createLineBuffer(onLines: (lines: readonly AssembledLine[]) => void, quietMs = QUIET_SPELL_MS): LineBuffer {
  const assembler = createLineAssembler();
  let timer: NodeJS.Timeout | undefined;
  let connected = true;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const lines = assembler.flush();
    if (lines.length > 0) onLines(lines);
  };
  const arm = () => {
    clearTimeout(timer);
    timer = connected && assembler.pending() ? setTimeout(flush, quietMs) : undefined;
  };
  return {
    push(bytes, offset) {
      const lines = assembler.push(bytes, offset);
      if (lines.length > 0) onLines(lines);
      arm();
    },
    connected(value) {
      connected = value;
      arm();
    },
    flush,
  };
}
