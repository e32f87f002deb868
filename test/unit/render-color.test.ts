import { describe, expect, it } from 'vitest';
import { chalkFor, decideColorLevel, type ColorFlag, type ColorLevel } from '../../src/render/color.js';

type Env = Record<string, string | undefined>;
const tty = true;
const pipe = false;

const rows: [name: string, flag: ColorFlag, env: Env, isTTY: boolean, expected: ColorLevel][] = [
  ['never on a truecolor terminal', 'never', { COLORTERM: 'truecolor' }, tty, 0],
  ['never beats FORCE_COLOR', 'never', { FORCE_COLOR: '3' }, tty, 0],
  ['always on a pipe, nothing set', 'always', {}, pipe, 1],
  ['always takes the FORCE_COLOR level', 'always', { FORCE_COLOR: '2' }, pipe, 2],
  ['always beats NO_COLOR', 'always', { NO_COLOR: '1' }, tty, 1],
  ['always beats FORCE_COLOR=0', 'always', { FORCE_COLOR: '0', TERM: 'xterm-256color' }, pipe, 2],
  ['always on a truecolor terminal', 'always', { COLORTERM: 'truecolor' }, tty, 3],
  ['always with TERM=dumb still colours', 'always', { TERM: 'dumb' }, tty, 1],
  ['auto: plain terminal', 'auto', { TERM: 'xterm' }, tty, 1],
  ['auto: terminal with no TERM', 'auto', {}, tty, 1],
  ['auto: 256-colour terminal', 'auto', { TERM: 'xterm-256color' }, tty, 2],
  ['auto: truecolor', 'auto', { TERM: 'xterm-256color', COLORTERM: 'truecolor' }, tty, 3],
  ['auto: COLORTERM=24bit', 'auto', { COLORTERM: '24bit' }, tty, 3],
  ['auto: COLORTERM other than truecolor does not raise', 'auto', { COLORTERM: 'yes', TERM: 'xterm' }, tty, 1],
  ['auto: pipe', 'auto', { TERM: 'xterm-256color', COLORTERM: 'truecolor' }, pipe, 0],
  ['auto: TERM=dumb', 'auto', { TERM: 'dumb' }, tty, 0],
  ['auto: NO_COLOR', 'auto', { NO_COLOR: '1', TERM: 'xterm-256color' }, tty, 0],
  ['auto: NO_COLOR any non-empty value', 'auto', { NO_COLOR: 'false' }, tty, 0],
  ['auto: NO_COLOR empty is ignored', 'auto', { NO_COLOR: '' }, tty, 1],
  ['auto: NO_COLOR beats FORCE_COLOR', 'auto', { NO_COLOR: '1', FORCE_COLOR: '3' }, tty, 0],
  ['auto: FORCE_COLOR=0 on a terminal', 'auto', { FORCE_COLOR: '0' }, tty, 0],
  ['auto: FORCE_COLOR=false', 'auto', { FORCE_COLOR: 'false' }, tty, 0],
  ['auto: FORCE_COLOR=1 on a pipe', 'auto', { FORCE_COLOR: '1' }, pipe, 1],
  ['auto: FORCE_COLOR=2 on a pipe', 'auto', { FORCE_COLOR: '2' }, pipe, 2],
  ['auto: FORCE_COLOR=3 on a pipe', 'auto', { FORCE_COLOR: '3' }, pipe, 3],
  ['auto: FORCE_COLOR=9 is capped', 'auto', { FORCE_COLOR: '9' }, pipe, 3],
  ['auto: FORCE_COLOR=true', 'auto', { FORCE_COLOR: 'true' }, pipe, 1],
  ['auto: FORCE_COLOR empty', 'auto', { FORCE_COLOR: '' }, pipe, 1],
  ['auto: FORCE_COLOR=1 is exact even on a truecolor terminal', 'auto', { FORCE_COLOR: '1', COLORTERM: 'truecolor' }, tty, 1],
  ['auto: FORCE_COLOR beats TERM=dumb', 'auto', { FORCE_COLOR: '2', TERM: 'dumb' }, tty, 2],
];

describe('decideColorLevel', () => {
  it.each(rows)('%s', (_name, flag, env, isTTY, expected) => {
    expect(decideColorLevel({ flag, env, isTTY })).toBe(expected);
  });

  it('decides each output on its own', () => {
    const env = { TERM: 'xterm-256color' };
    expect([decideColorLevel({ flag: 'auto', env, isTTY: true }), decideColorLevel({ flag: 'auto', env, isTTY: false })]).toEqual([2, 0]);
  });
});

describe('chalkFor', () => {
  it('level 0 adds nothing, level 1 adds basic codes, whatever the environment says', () => {
    expect(chalkFor(0).red('x')).toBe('x');
    expect(chalkFor(1).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(chalkFor(1)).toBe(chalkFor(1));
  });
});
