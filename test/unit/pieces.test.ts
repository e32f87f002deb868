/** The test helper that regroups a line view's pieces: it must accept only exact regroupings. */
import { describe, expect, it } from 'vitest';
import { joinedPieces } from '../helpers/pieces.js';

describe('joinedPieces', () => {
  it.each<[string, string[], string[], string[]]>([
    ['whole lines stay', ['a1', 'b2'], ['a1', 'b2'], ['a1', 'b2']],
    ['a line in pieces is regrouped', ['a', '1', 'b2'], ['a1', 'b2'], ['a1', 'b2']],
    ['a lost byte is not hidden', ['a', 'b2'], ['a1', 'b2'], ['ab2']],
    ['a repeated piece is not hidden', ['a', 'a1', 'b2'], ['a1', 'b2'], ['aa1', 'b2']],
    ['an extra line stays', ['a1', 'x', 'b2'], ['a1', 'b2'], ['a1', 'x', 'b2']],
    ['a missing end stays short', ['a1', 'b'], ['a1', 'b2'], ['a1', 'b']],
  ])('%s', (_name, pieces, expected, result) => {
    expect(joinedPieces(pieces, expected)).toEqual(result);
  });
});
