// `npm run build:binary`: runloop-tail as one executable file, with Node's single executable
// application support (https://nodejs.org/api/single-executable-applications.html), offline:
//   1. esbuild: the whole CLI and its dependencies in ONE CommonJS file (a SEA can require Node's
//      built-ins only, so every import(), of our chunks or of packages, is inlined);
//   2. node --experimental-sea-config: that file, plus V8's code cache for it, into a blob;
//   3. a copy of the running node with the blob injected by postject:
//      dist/runloop-tail-<platform>-<arch> (.exe on Windows).
// Intermediate files go to dist/sea/; the npm build's files (dist/cli.js, dist/chunks/) are left
// alone. Node options: --sea-dir DIR and --out FILE put them elsewhere (tests use a temp dir).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions, root, writeThirdPartyLicenses } from './build.js';

/** The fuse Node looks for to know that a blob was injected (from Node's documentation). */
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Runs a build step quietly: when it fails, the error carries all it printed; when it succeeds,
 * only lines that are not `expected` are shown (Node's "Wrote … blob", postject's progress and the
 * LIEF warnings about ELF note sections it leaves alone are expected).
 */
function step(file, args, expected) {
  // The time-out only stops a step that hangs: postject on the 100 MB node binary took more than
  // 2 min on a 2-core machine under a load of 30 (a stress run), against ~10 s on a quiet one.
  const result = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
  const said = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${said}`);
  }
  const plain = said.replace(/\x1b\[[0-9;]*m/g, '');
  const unexpected = plain.split('\n').filter((line) => line.trim() !== '' && !expected.test(line));
  if (unexpected.length > 0) console.error(unexpected.join('\n'));
}

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : path.resolve(process.argv[index + 1] ?? fallback);
}

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const extension = process.platform === 'win32' ? '.exe' : '';
const seaDir = option('--sea-dir', path.join(root, 'dist', 'sea'));
const output = option('--out', path.join(root, 'dist', `runloop-tail-${process.platform}-${process.arch}${extension}`));
const bundle = path.join(seaDir, 'runloop-tail.cjs');
const blob = path.join(seaDir, 'sea-prep.blob');
const config = path.join(seaDir, 'sea-config.json');

const started = Date.now();
// Node built with shared libnode (some distributions' packages) has the fuse elsewhere: say so now.
if (!readFileSync(process.execPath).includes(SENTINEL_FUSE)) {
  console.error(`${process.execPath} cannot become a single executable (no SEA fuse in it): use a Node build from nodejs.org`);
  process.exit(1);
}
mkdirSync(seaDir, { recursive: true });
mkdirSync(path.dirname(output), { recursive: true });

// 1. One CommonJS file. The entry calls main(), as bin/runloop-tail.js does for the npm package.
const result = await build({
  ...bundleOptions,
  stdin: {
    contents: "import { main } from './src/cli.ts';\nmain();\n",
    resolveDir: root,
    sourcefile: 'sea-entry.ts',
    loader: 'ts',
  },
  outfile: bundle,
  format: 'cjs',
  splitting: false,
});
writeThirdPartyLicenses(result.metafile, path.join(seaDir, 'THIRD-PARTY-LICENSES.txt'));

// 2. The blob. useCodeCache: V8 compiles the bundle now, not on every start.
writeFileSync(
  config,
  `${JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2)}\n`,
);
step(process.execPath, ['--experimental-sea-config', config], /^Wrote single executable preparation blob/);

// 3. A copy of this node with the blob injected, written under a temporary name and renamed, so
// nothing ever runs a half-written binary.
const partial = `${output}.partial-${process.pid}`;
rmSync(partial, { force: true });
copyFileSync(process.execPath, partial);
chmodSync(partial, 0o755);
try {
  if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', partial]);
  // postject's command line in a child process, so its LIEF warnings can be filtered.
  const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  step(
    process.execPath,
    [postject, partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL_FUSE, ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [])],
    /^warning: Can't find string offset for section name|^Start injection|^Injection done|^💉/,
  );
  if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', partial]);
  // A binary that does not start is not a build.
  const version = execFileSync(partial, ['--version'], { encoding: 'utf8', timeout: 300_000 }).trim();
  if (version !== pkg.version) throw new Error(`the binary printed ${JSON.stringify(version)} for --version, expected ${pkg.version}`);
  renameSync(partial, output);
} finally {
  rmSync(partial, { force: true });
}

const megabytes = (statSync(output).size / 1024 / 1024).toFixed(1);
console.log(`${path.relative(root, output)}: ${megabytes} MB, runloop-tail ${pkg.version} on node ${process.version}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
