// WebAssembly text (.wat) in the sources: a module imports `./name.wat` and gets its binary as a
// Uint8Array. The binary is assembled from the text at build time (wabt, a devDependency) and is
// never kept in git. Used by the npm build and the single executable (esbuild), by scripts/run-ts.js
// (esbuild) and by the tests (vitest.config.ts).
import { readFile } from 'node:fs/promises';
import initWabt from 'wabt';

let wabt;

/** The binary of the WebAssembly text in `file`; throws with wabt's message on an error. */
export async function assembleWat(file) {
  wabt ??= await initWabt();
  const text = await readFile(file, 'utf8');
  const module = wabt.parseWat(file, text, { simd: true, bulk_memory: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** esbuild: `import bytes from './x.wat'` gives the assembled binary (esbuild's binary loader: a Uint8Array). */
export const watForEsbuild = {
  name: 'wat',
  setup(builder) {
    builder.onLoad({ filter: /\.wat$/ }, async (args) => ({ contents: await assembleWat(args.path), loader: 'binary' }));
  },
};

/** Vite (vitest): the same import, as a module whose default export is the binary. */
export const watForVite = {
  name: 'wat',
  async load(id) {
    if (!id.endsWith('.wat')) return null;
    const base64 = Buffer.from(await assembleWat(id)).toString('base64');
    return `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, 'base64'));`;
  },
};
