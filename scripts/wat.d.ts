// Types of scripts/wat.js for the TypeScript files that import it (vitest.config.ts).
import type { Plugin as EsbuildPlugin } from 'esbuild';
import type { Plugin as VitePlugin } from 'vite';

export function assembleWat(file: string): Promise<Uint8Array>;
export const watForEsbuild: EsbuildPlugin;
export const watForVite: VitePlugin;
