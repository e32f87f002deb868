import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, importViolations, type Layers } from '../helpers/import-direction.js';

/**
 * Dependencies point one way, from the entry down to the error table. A part of src/ (a folder, or
 * a file at the top) may import its own files and any layer below it; never a layer above, nor a
 * neighbour in its own layer. README's layout paragraph says the same in words.
 */
const LAYERS: Layers = [
  ['entry.ts'], // the process's first module: the pre-rendered help answers, else loads cli.ts
  ['cli.ts'], // the CLI: from then on the only module that touches `process`
  ['commands'], // one file per command: options, then the follow or the call
  ['emulator'], // the local server, started by `serve` and `demo` only
  ['output', 'stdin'], // the bytes' way out (sinks, spinner, saved files) and in (stdin forwarding)
  ['render'], // pure text: line assembly, sanitising, colour, notes
  ['stream'], // following one execution: SSE connections, cursor, reconnects, completion
  ['api', 'settings'], // REST calls, retry policy, error kinds; the API key, base URL and config store
  ['errors.ts', 'io.ts', 'version.ts', 'help-answers.ts', 'duration.ts', 'read-in-pieces.ts'], // the error table, the Io interface, the version, the help answers' lookup, durations in words, the CLI's loader
];

const repository = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const file = (path: string, text: string) => ({ path, text });

describe('importsOf: every form of import is seen', () => {
  it.each([
    { name: 'static', text: "import { a } from './a.js';", expected: ['./a.js'] },
    { name: 'type only', text: "import type { A } from '../api/a.js';", expected: ['../api/a.js'] },
    { name: 'side effect', text: "import './a.js';", expected: ['./a.js'] },
    { name: 're-export', text: "export { a } from '../api/a.js';\nexport * from './b.js';", expected: ['../api/a.js', './b.js'] },
    { name: 'dynamic', text: "const { a } = await import('../stream/a.js');", expected: ['../stream/a.js'] },
    { name: 'dynamic, template', text: 'await import(`../stream/a.js`);', expected: ['../stream/a.js'] },
    { name: 'dynamic, computed', text: 'await import(name);', expected: ['<computed>'] },
    { name: 'in a type', text: "let x: import('../api/a.js').A;", expected: ['../api/a.js'] },
    { name: 'require', text: "import a = require('../api/a.js');", expected: ['../api/a.js'] },
    { name: 'packages too', text: "import { Command } from 'commander';\nimport { once } from 'node:events';", expected: ['commander', 'node:events'] },
    { name: 'not in a comment or string', text: "// import { a } from '../api/a.js';\nconst s = \"import('../api/a.js')\";", expected: [] },
  ])('$name', ({ text, expected }) => {
    expect(importsOf('x.ts', text).map((site) => site.specifier)).toEqual(expected);
  });
});

describe('importViolations: planted violations are caught, allowed imports pass', () => {
  const layers: Layers = [['cli.ts'], ['commands'], ['output', 'stdin'], ['stream'], ['api'], ['errors.ts']];
  it.each([
    { name: 'down one layer', path: 'src/stream/a.ts', text: "import { b } from '../api/b.js';", expected: [] },
    { name: 'down several layers', path: 'src/commands/a.ts', text: "import { b } from '../../src/api/b.js';", expected: [] },
    { name: 'a root file below', path: 'src/api/a.ts', text: "import { b } from '../errors.js';", expected: [] },
    { name: 'the entry imports a command', path: 'src/cli.ts', text: "import { b } from './commands/b.js';", expected: [] },
    { name: 'within a folder', path: 'src/api/a.ts', text: "import { b } from './b.js';\nimport { c } from './deep/c.js';", expected: [] },
    { name: 'packages are not judged', path: 'src/api/a.ts', text: "import ts from 'typescript';", expected: [] },
    {
      name: 'up one layer (api → stream, the inversion issue 19 found)',
      path: 'src/api/client.ts',
      text: "import { f } from '../stream/backoff.js';",
      expected: ['src/api/client.ts:1 ../stream/backoff.js: api may not import stream, a layer above it'],
    },
    {
      name: 'up, through a type-only import',
      path: 'src/stream/a.ts',
      text: "import type { T } from '../output/t.js';",
      expected: ['src/stream/a.ts:1 ../output/t.js: stream may not import output, a layer above it'],
    },
    {
      name: 'up, through a dynamic import',
      path: 'src/stream/a.ts',
      text: "\nconst m = await import('../commands/c.js');",
      expected: ['src/stream/a.ts:2 ../commands/c.js: stream may not import commands, a layer above it'],
    },
    {
      name: 'beside, in the same layer',
      path: 'src/stdin/a.ts',
      text: "import { b } from '../output/b.js';",
      expected: ['src/stdin/a.ts:1 ../output/b.js: stdin may not import output, beside it in the same layer'],
    },
    {
      name: 'the bottom may not import the entry',
      path: 'src/errors.ts',
      text: "import { main } from './cli.js';",
      expected: ['src/errors.ts:1 ./cli.js: errors.ts may not import cli.ts, a layer above it'],
    },
    {
      name: 'a folder with no layer, imported',
      path: 'src/api/a.ts',
      text: "import { b } from '../util/b.js';",
      expected: ["src/api/a.ts:1 ../util/b.js: 'util' has no layer: place it in the table"],
    },
    {
      name: 'a folder with no layer, importing',
      path: 'src/util/a.ts',
      text: "import { b } from '../api/b.js';",
      expected: ["src/util/a.ts : 'util' has no layer: place it in the table"],
    },
    {
      name: 'outside src/',
      path: 'src/api/a.ts',
      text: "import { b } from '../../test/helpers/b.js';",
      expected: ['src/api/a.ts:1 ../../test/helpers/b.js: imports from outside src/'],
    },
    {
      name: 'a computed import()',
      path: 'src/commands/a.ts',
      text: 'await import(`../stream/${name}.js`);',
      expected: ['src/commands/a.ts:1 <computed>: a computed import() cannot be checked: import a literal path'],
    },
  ])('$name', ({ path, text, expected }) => {
    const found = importViolations([file(path, text)], layers).map((v) => `${v.file} ${v.specifier}: ${v.reason}`);
    expect(found).toEqual(expected);
  });
});

describe('src/: dependencies point one way', () => {
  const files = sourceFiles(join(repository, 'src')).map((path) =>
    file(relative(repository, path).split('\\').join('/'), readFileSync(path, 'utf8')),
  );

  it('reads the whole tree', () => {
    // A walk that found nothing would pass the check below vacuously.
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['src/cli.ts', 'src/errors.ts', 'src/api/client.ts']));
  });

  it('has no import against the layers (file:line, import, why)', () => {
    const found = importViolations(files, LAYERS).map((v) => `${v.file} ${v.specifier}: ${v.reason}`);
    expect(found).toEqual([]);
  });
});
