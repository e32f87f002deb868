/**
 * Lines as a line view showed them, put back together where a line was shown in pieces: the line
 * views show a partial line after a quiet spell (300 ms, README) without waiting for its newline,
 * and its rest then comes as a labelled line of its own. On a busy machine that can happen to any
 * line a test server sends in small events, so tests compare what the pieces make, not how the
 * machine's timing cut them.
 */

/**
 * `pieces` regrouped so that each expected line that is exactly a run of consecutive pieces becomes
 * one entry; anything else is left as it is (and fails the test's comparison with `expected`).
 */
export function joinedPieces(pieces: readonly string[], expected: readonly string[]): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    const want = expected[lines.length];
    if (want !== undefined && want !== pending && want.startsWith(pending)) continue;
    lines.push(pending);
    pending = '';
  }
  if (pending !== '') lines.push(pending);
  return lines;
}
