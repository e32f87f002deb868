/**
 * The current row of a terminal that several writers share: remote stdout and stderr on one
 * screen, and runloop-tail's own notes. A writer may leave the row unfinished: a progress line
 * redrawn with a CR (`42%\r`), or a partial line shown after a quiet spell. Another writer's text
 * must not overwrite or splice into it, so before that text the unfinished row is cleared (`\e[K`)
 * and redrawn after it (a live progress line stays on screen, and its writer goes on where it was),
 * or, when it cannot be cleared exactly (wider than the screen, tabs, cursor movement, or the other
 * writer leaves the row unfinished too), finished with a newline.
 *
 * Pure: it decides what to write around each piece; the caller writes all of it, in order, to the
 * one terminal.
 */

/** What to write around one writer's piece. */
export interface Around {
  readonly before: string;
  readonly after: string;
}

export interface SharedLine {
  /** Called with each piece a writer is about to put on the screen; returns what goes around it. */
  around(writer: string, text: string): Around;
}

const NOTHING: Around = { before: '', after: '' };
const ERASE_TO_END_OF_LINE = '\x1b[K';

// SGR (colour) sequences take no room on the screen.
const SGR = /\x1b\[[0-9;:]*m/g;
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The columns one row's text reaches (each CR returns to its start), or undefined when that cannot
 * be known for sure (other control characters, escape sequences that move the cursor, tabs). A
 * character beyond ASCII counts as two, so the answer errs on the wide side.
 */
export function rowWidth(row: string): number | undefined {
  let widest = 0;
  for (const segment of row.split('\r')) {
    const visible = segment.replace(SGR, '');
    if (CONTROL.test(visible)) return undefined;
    let width = 0;
    for (const char of visible) width += char.charCodeAt(0) < 0x80 ? 1 : 2;
    widest = Math.max(widest, width);
  }
  return widest;
}

/** The shared row of a terminal `columns()` wide (undefined when unknown: nothing is redrawn then). */
export function createSharedLine(columns: () => number | undefined): SharedLine {
  // The writer whose row is unfinished, and everything it wrote on that row.
  let pending: { writer: string; row: string } | undefined;

  const clearable = (row: string): boolean => {
    const width = rowWidth(row);
    const cols = columns();
    return width !== undefined && cols !== undefined && width < cols;
  };

  /** The writer's row after `text`, when `text` leaves it unfinished. */
  const rowAfter = (text: string, before: string): string | undefined => {
    if (text.endsWith('\n')) return undefined;
    const newline = text.lastIndexOf('\n');
    return newline === -1 ? before + text : text.slice(newline + 1);
  };

  return {
    around(writer, text) {
      if (text === '') return NOTHING;
      const held = pending;
      if (held === undefined || held.writer === writer) {
        const row = rowAfter(text, held?.row ?? '');
        pending = row === undefined ? undefined : { writer, row };
        return NOTHING;
      }
      // Another writer's row is unfinished.
      const row = rowAfter(text, '');
      if (row === undefined && clearable(held.row)) {
        // To the start of the row (a CR may have put the cursor there already), erase it, and after
        // the other writer's lines draw it again as it was.
        return { before: `\r${ERASE_TO_END_OF_LINE}`, after: held.row };
      }
      pending = row === undefined ? undefined : { writer, row };
      return { before: '\n', after: '' };
    },
  };
}
