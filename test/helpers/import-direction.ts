/**
 * The import-direction check: every relative import in src/ (static, `export … from`, `import type`,
 * dynamic `import()`, and `import('…')` in a type) read from the syntax tree, and judged against a
 * table of layers. Pure: it takes the files' text, so a unit table can plant violations.
 */
import { posix } from 'node:path';
import ts from 'typescript';

/**
 * The parts of src/ from the top down. A file may import any file of its own part and of any layer
 * below its own; never a layer above, nor a neighbour in its own layer (so no two parts can import
 * each other, and every new part must be placed here).
 */
export type Layers = readonly (readonly string[])[];

/** One import the layers forbid, or one that cannot be checked. */
export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

/** A relative import as written, with the line it is on (1-based). */
export interface ImportSite {
  readonly specifier: string;
  readonly line: number;
}

/** The module specifiers a TypeScript file imports; a dynamic import of a non-literal is `specifier: '<computed>'`. */
export function importsOf(fileName: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ImportSite[] = [];
  const add = (node: ts.Node, specifier: string) =>
    found.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      if (ts.isStringLiteral(node.moduleSpecifier)) add(node, node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      add(node, ts.isStringLiteral(expression) ? expression.text : '<computed>');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      add(node, argument !== undefined && ts.isStringLiteralLike(argument) ? argument.text : '<computed>');
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) add(node, argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The part of src/ a path belongs to: its first folder, or the file's own name for a file at the top. */
function partOf(pathInSrc: string): string {
  return pathInSrc.split('/')[0] ?? pathInSrc;
}

/**
 * The imports among `files` (paths relative to the repository, all under `root`) that break `layers`.
 * Packages and `node:` modules are not judged; a relative import leaving `root`, a part with no layer
 * and a computed dynamic import are violations too (none of them can be checked).
 */
export function importViolations(
  files: readonly { readonly path: string; readonly text: string }[],
  layers: Layers,
  root = 'src',
): Violation[] {
  const layerOf = new Map<string, number>();
  layers.forEach((parts, index) => parts.forEach((part) => layerOf.set(part, index)));
  const violations: Violation[] = [];
  for (const file of files) {
    const from = partOf(posix.relative(root, file.path));
    const fromLayer = layerOf.get(from);
    if (fromLayer === undefined) {
      violations.push({ file: file.path, specifier: '', reason: `'${from}' has no layer: place it in the table` });
      continue;
    }
    for (const site of importsOf(file.path, file.text)) {
      const where = `${file.path}:${site.line}`;
      if (site.specifier === '<computed>') {
        violations.push({ file: where, specifier: site.specifier, reason: 'a computed import() cannot be checked: import a literal path' });
        continue;
      }
      if (!site.specifier.startsWith('.')) continue;
      // ESM imports name the emitted file: './errors.js' is src/errors.ts.
      const target = posix.relative(root, posix.join(posix.dirname(file.path), site.specifier)).replace(/\.js$/, '.ts');
      if (target.startsWith('..')) {
        violations.push({ file: where, specifier: site.specifier, reason: `imports from outside ${root}/` });
        continue;
      }
      const to = partOf(target);
      if (to === from) continue;
      const toLayer = layerOf.get(to);
      if (toLayer === undefined) {
        violations.push({ file: where, specifier: site.specifier, reason: `'${to}' has no layer: place it in the table` });
      } else if (toLayer < fromLayer) {
        violations.push({ file: where, specifier: site.specifier, reason: `${from} may not import ${to}, a layer above it` });
      } else if (toLayer === fromLayer) {
        violations.push({ file: where, specifier: site.specifier, reason: `${from} may not import ${to}, beside it in the same layer` });
      }
    }
  }
  return violations;
}
