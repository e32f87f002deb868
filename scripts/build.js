// Bundles the CLI into dist/ with esbuild, dependencies included, so the installed package resolves
// nothing in node_modules and needs no dependencies at all. Everything is CommonJS: Node's ESM
// loader costs a follow ~40 ms of CPU and ~3 MiB more than require() does (a module job, a file
// read through fs/promises and a URL resolution per chunk; BENCHMARKS.md, start-up of a follow):
//   dist/entry.cjs    the process's first module (bin/runloop-tail.js loads it), small; answers
//                     --help, --version… from dist/help-answers.json, else loads dist/cli.cjs
//                     (read in 64 KiB pieces: src/read-in-pieces.ts says why)
//   dist/help-answers.json  those answers, rendered at build time by dist/cli.cjs itself
//   dist/cli.cjs      the CLI: commander, the commands, the follower, the emulator (code that an
//                     import() reaches is wrapped by esbuild and runs only when imported)
//   dist/conf.cjs, dist/ora.cjs  the two large packages, required on first use only (the config
//                     store, the terminal spinner): most runs never parse them
//   dist/THIRD-PARTY-LICENSES.txt  the licences of the bundled packages
// scripts/build-binary.js reuses `bundleOptions` for the single executable.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { watForEsbuild } from './wat.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outdir = path.join(root, 'dist');

/** Packages the code imports with import() only: each is bundled into a file of its own, dist/<name>.cjs. */
const LAZY_PACKAGES = ['conf', 'ora'];

/** An import() of a lazy package loads its own file (esbuild turns it into a require() in CommonJS). */
const lazyPackagesOutside = {
  name: 'lazy-packages-outside',
  setup(builder) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    builder.onResolve({ filter }, (args) => (args.kind === 'dynamic-import' ? { path: `./${args.path}.cjs`, external: true } : undefined));
  },
};

/**
 * CommonJS has no import.meta; bundled packages that read import.meta.url get the bundle's own URL.
 * (src/ does not use it: builtins.ts's createRequire works in every format.)
 */
const importMetaInCommonJs = {
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * commander requires node:child_process at the top for git-style executable subcommands, which
 * runloop-tail does not use; loading it costs a few ms on every start. Load it on first use instead.
 */
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) {
        throw new Error(`${args.path}: "${eager}" not found; update lazyChildProcessInCommander in scripts/build.js`);
      }
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * The proxy agents log through `debug`, which reads DEBUG from the environment and would print the
 * proxy URL with its password (`DEBUG=*`). runloop-tail never wants that: `debug` becomes a no-op.
 */
const silentDebug = {
  name: 'silent-debug',
  setup(builder) {
    builder.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'silent-debug' }));
    builder.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      contents: 'const log = () => {}; log.enabled = false; export default function createDebug() { return log; }',
      loader: 'js',
    }));
  },
};

/** esbuild options shared by the npm build and the single executable. */
export const bundleOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Less to parse at start-up; names stay, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  plugins: [lazyChildProcessInCommander, silentDebug, watForEsbuild],
  metafile: true,
  logLevel: 'warning',
};

/** Writes the licence of every bundled package (from an esbuild metafile) to `file`. */
export function writeThirdPartyLicenses(metafile, file) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.set(match[1], path.join(root, input.slice(0, match.index + match[0].length)));
  }
  const sections = [...packages.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, dir]) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const licenseFile = readdirSync(dir).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
      const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `License: ${manifest.license ?? 'see the package'}`;
      return `${name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
    });
  writeFileSync(file, `runloop-tail bundles these packages:\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`);
}

/** A stdout or stderr for the CLI that keeps what it is given; not a terminal, so help is 80 columns wide. */
function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs the built CLI (in this process, with a captured stdout) on every command line that only
 * prints text: the program's and each command's --help / -h / help <command>, --version / -V and
 * a bare \`runloop-tail\`. Keeps those that printed on stdout only, in the shape of
 * src/help-answers.ts's HelpAnswers.
 */
async function renderHelpAnswers() {
  const cli = createRequire(import.meta.url)(path.join(outdir, 'cli.cjs'));
  const run = async (argv) => {
    const stdout = capture();
    const stderr = capture();
    const io = { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough(), env: {}, signal: new AbortController().signal };
    const status = await cli.runCli(argv, io);
    return { stdout: stdout.text(), stderr: stderr.text(), status };
  };
  const commandPaths = (command, prefix = []) =>
    command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
  const program = cli.buildProgram({ io: { stdout: capture().stream, stderr: capture().stream, env: {} }, finish: () => {} });
  const lines = [[], ['--help'], ['-h'], ['help'], ['--version'], ['-V']];
  for (const command of commandPaths(program)) lines.push([...command, '--help'], [...command, '-h'], ['help', ...command]);
  const texts = [];
  const answers = {};
  for (const argv of lines) {
    const said = await run(argv);
    if (said.stderr !== '' || said.stdout === '') continue; // the CLI answers those itself
    if (!texts.includes(said.stdout)) texts.push(said.stdout);
    answers[JSON.stringify(argv)] = [texts.indexOf(said.stdout), said.status];
  }
  for (const needed of [[], ['--help'], ['--version']]) {
    if (!(JSON.stringify(needed) in answers)) throw new Error(`no pre-rendered answer for ${JSON.stringify(needed)}: the CLI wrote on stderr`);
  }
  // 80: what src/help-answers.ts helpWidth gives a stdout that is not a terminal.
  return { width: 80, texts, answers };
}

/** dist/cli.cjs stays a separate file that dist/entry.cjs requires when it has to. */
const cliOutsideEntry = {
  name: 'cli-outside-entry',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.cjs', external: true }));
  },
};

/** Builds dist/ for the npm package and removes files of earlier builds. */
export async function buildPackage() {
  // `dynamic-import: false`: esbuild turns each import() of another file into a require(); a real
  // import() would start Node's ESM loader, the very cost this build avoids.
  const commonJs = {
    ...bundleOptions,
    format: 'cjs',
    supported: { 'dynamic-import': false },
    define: { ...bundleOptions.define, ...importMetaInCommonJs.define },
    banner: importMetaInCommonJs.banner,
  };
  const result = await build({
    ...commonJs,
    entryPoints: ['src/cli.ts'],
    outfile: path.join(outdir, 'cli.cjs'),
    plugins: [...bundleOptions.plugins, lazyPackagesOutside],
  });
  const produced = new Set([path.join(outdir, 'cli.cjs')]);
  const inputs = { ...result.metafile.inputs };
  for (const name of LAZY_PACKAGES) {
    const lazy = await build({
      ...commonJs,
      // module.exports is the package's default export: the import() that loads this file, turned
      // into a require() in Node's manner, takes module.exports as the default.
      stdin: { contents: `module.exports = require('${name}').default;`, resolveDir: root, sourcefile: `${name}.js`, loader: 'js' },
      outfile: path.join(outdir, `${name}.cjs`),
    });
    Object.assign(inputs, lazy.metafile.inputs);
    produced.add(path.join(outdir, `${name}.cjs`));
  }
  writeThirdPartyLicenses({ inputs }, path.join(outdir, 'THIRD-PARTY-LICENSES.txt'));
  writeFileSync(path.join(outdir, 'help-answers.json'), `${JSON.stringify(await renderHelpAnswers())}\n`);
  await build({
    ...bundleOptions,
    entryPoints: ['src/entry.ts'],
    outfile: path.join(outdir, 'entry.cjs'),
    format: 'cjs',
    supported: { 'dynamic-import': false },
    plugins: [...bundleOptions.plugins, cliOutsideEntry],
  });
  produced.add(path.join(outdir, 'entry.cjs'));
  // Files of earlier builds (dist/cli.js and dist/chunks/ of the ES-module build): remove them so `npm pack` ships only this build.
  rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });
  for (const name of readdirSync(outdir)) {
    const file = path.join(outdir, name);
    if (/\.c?js$/.test(name) && !produced.has(file)) rmSync(file, { force: true });
  }
  return result;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPackage();
}
