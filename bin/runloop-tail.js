#!/usr/bin/env node
// CommonJS (bin/package.json says so): an ES module here would start Node's ESM loader, about a
// tenth of `node -e 0`'s start-up, before --help could be answered. dist/entry.cjs (src/entry.ts)
// answers --help and --version itself and loads the CLI (dist/cli.cjs) for everything else.
require('../dist/entry.cjs');
