// Bundles the CLI into dist/ with esbuild, dependencies included, so the installed package resolves
// nothing in node_modules and needs no dependencies at all:
//   dist/entry.cjs    the process's first module (bin/runloop-tail.js loads it): CommonJS and small;
//                     answers --help, --version… from dist/help-answers.json, else loads dist/cli.js
//   dist/help-answers.json  those answers, rendered at build time by dist/cli.js itself
//   dist/cli.js       the CLI: commander and the option definitions
//   dist/chunks/*.js  loaded with import() by the command that needs them: the follower (chalk,
//                     our SSE decoder, HTTP), ora, conf, the emulator
//   dist/THIRD-PARTY-LICENSES.txt  the licences of the bundled packages
// scripts/build-binary.js reuses `bundleOptions` for the single executable.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outdir = path.join(root, 'dist');

/** Packages the code imports with import() only: their chunk is named after them (dist/chunks/conf-….js). */
const LAZY_PACKAGES = ['conf', 'ora'];

/** Gives a package loaded with import() a chunk named after it, instead of after its index file's folder. */
const nameLazyPackages = {
  name: 'name-lazy-packages',
  setup(builder) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    builder.onResolve({ filter }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-package' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      contents: `export { default } from '${args.path}';`,
      resolveDir: root,
      loader: 'js',
    }));
  },
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
  plugins: [nameLazyPackages, lazyChildProcessInCommander, silentDebug],
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
  const cli = await import(pathToFileURL(path.join(outdir, 'cli.js')).href);
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

/** dist/cli.js stays a separate ES module that dist/entry.cjs loads with import() when it has to. */
const cliOutsideEntry = {
  name: 'cli-outside-entry',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/cli\.js$/ }, () => ({ path: './cli.js', external: true }));
  },
};

/** Builds dist/ for the npm package and removes files of earlier builds. */
export async function buildPackage() {
  const result = await build({
    ...bundleOptions,
    entryPoints: { cli: 'src/cli.ts' },
    outdir,
    splitting: true,
    format: 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS code (commander, ajv under conf) calls require() for Node built-ins.
    banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
  });
  writeThirdPartyLicenses(result.metafile, path.join(outdir, 'THIRD-PARTY-LICENSES.txt'));
  writeFileSync(path.join(outdir, 'help-answers.json'), `${JSON.stringify(await renderHelpAnswers())}\n`);
  await build({
    ...bundleOptions,
    entryPoints: ['src/entry.ts'],
    outfile: path.join(outdir, 'entry.cjs'),
    format: 'cjs',
    plugins: [...bundleOptions.plugins, cliOutsideEntry],
  });
  // Chunks of earlier builds have other hashes: remove them so `npm pack` ships only this build.
  const produced = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file)));
  for (const dir of [outdir, path.join(outdir, 'chunks')]) {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.js') && !produced.has(file)) rmSync(file, { force: true });
    }
  }
  return result;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPackage();
}
