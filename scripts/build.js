// Bundles the CLI into dist/ with esbuild. Dependencies stay external (node_modules) and the
// commands that need heavy ones (ora, conf, eventsource) load them lazily, split into chunks.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
