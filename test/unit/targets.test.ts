import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionLabels, parseTargets } from '../../src/commands/targets.js';
import { combinedStatus, type Outcome } from '../../src/commands/follow-ending.js';
import { resumeManyCommand } from '../../src/render/status-line.js';

describe('parseTargets', () => {
  it.each([
    { words: ['dbx_1', 'exn_1'], expected: [['dbx_1', 'exn_1', undefined]] },
    { words: ['dbx_1/exn_1'], expected: [['dbx_1', 'exn_1', undefined]] },
    {
      words: ['dbx_1/exn_1', 'dbx_1/exn_2', 'dbx_2/exn_3'],
      expected: [
        ['dbx_1', 'exn_1', undefined],
        ['dbx_1', 'exn_2', undefined],
        ['dbx_2', 'exn_3', undefined],
      ],
    },
    { words: ['dbx_1/exn_1@10,20', 'dbx_1/exn_2'], expected: [['dbx_1', 'exn_1', { stdout: 10, stderr: 20 }], ['dbx_1', 'exn_2', undefined]] },
  ])('$words', ({ words, expected }) => {
    expect(parseTargets(words).map((t) => [t.devboxId, t.executionId, t.offsets])).toEqual(expected);
  });

  it.each([
    [[], /no execution given/],
    [['dbx_1'], /an execution id is missing/],
    [['dbx_1', 'exn_1', 'exn_2'], /3 words without a '\/'/],
    [['dbx_1/exn_1', 'exn_2'], /cannot be mixed/],
    [['dbx_1/exn_1', 'dbx_1/exn_1'], /given twice/],
    [['dbx_1/exn_1@5'], /@<stdout-offset>,<stderr-offset>/],
    [['dbx_1/exn_1@x,1'], /stdout offset of exn_1/],
    [['/exn_1'], /devbox id is empty/],
    [['dbx_1/'], /execution id is empty/],
    [['dbx_1/exn/../x'], /not a valid id/],
    [['dbx_1/..'], /not a valid id/],
  ])('%j is refused', (words, message) => {
    expect(() => parseTargets(words)).toThrow(message);
  });

  it('the resume command of several executions parses back to the same targets and offsets', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/).filter((s) => !s.includes('..'));
    const target = fc.record({ devboxId: id, executionId: id, offsets: fc.record({ stdout: fc.nat(), stderr: fc.nat() }) });
    fc.assert(
      fc.property(fc.uniqueArray(target, { minLength: 2, maxLength: 5, selector: (t) => `${t.devboxId}/${t.executionId}` }), (targets) => {
        const words = resumeManyCommand(targets, [], false).split(' ').slice(1);
        // Ids of this alphabet need no quoting: the words are what a shell hands back.
        expect(parseTargets(words)).toEqual(targets);
      }),
    );
  });
});

describe('executionLabels', () => {
  it.each([
    { ids: ['exn_1', 'exn_2'], expected: ['exn_1', 'exn_2'] },
    { ids: ['exn_abcdef123456', 'exn_abcdef654321'], expected: ['…123456', '…654321'] },
    { ids: ['exn_x1234567', 'exn_y1234567'], expected: ['…x1234567', '…y1234567'] },
    { ids: ['short', 'exn_abcdef123456'], expected: ['short  ', '…123456'] },
  ])('$ids', ({ ids, expected }) => {
    expect(executionLabels(ids)).toEqual(expected);
  });

  it('distinct ids always get distinct labels of one width', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9_]{1,30}$/), { minLength: 1, maxLength: 8 }), (ids) => {
        const labels = executionLabels(ids);
        expect(new Set(labels).size).toBe(ids.length);
        expect(new Set(labels.map((l) => l.length)).size).toBe(1);
      }),
    );
  });
});

describe('combinedStatus: 0 when all exited 0, else the first in argument order that did not', () => {
  it.each<{ outcomes: (number | 'stopped')[]; expected: number }>([
    { outcomes: [0, 0, 0], expected: 0 },
    { outcomes: [0, 3, 1], expected: 3 },
    { outcomes: [2, 0, 3], expected: 2 },
    { outcomes: ['stopped', 4, 0], expected: 4 },
    { outcomes: ['stopped', 0], expected: 0 },
    { outcomes: [255, 0], expected: 255 },
  ])('$outcomes → $expected', ({ outcomes, expected }) => {
    expect(combinedStatus(outcomes.map((o): Outcome => (o === 'stopped' ? { kind: 'stopped' } : { kind: 'ended', status: o })))).toBe(expected);
  });
});
