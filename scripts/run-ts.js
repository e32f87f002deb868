// Runs a TypeScript entry (the soak, the benchmark) without a TS loader: esbuild bundles it, with
// packages left external, to .bench/run-ts/<name>.mjs (gitignored), and this process imports it
// with the arguments after the entry.
//   node scripts/run-ts.js scripts/soak.ts --runs 10
import { build } from 'esbuild';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { watForEsbuild } from './wat.js';

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  console.error('usage: node scripts/run-ts.js <entry.ts> [arguments…]');
  process.exit(2);
}
const outfile = resolve('.bench/run-ts', `${basename(entry).replace(/\.[cm]?ts$/, '')}.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [watForEsbuild],
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
