// PROTOTYPE (not part of `npm run build`): builds dist/snapshot/serve.blob, a V8 start-up snapshot
// of the server's modules, with this Node. Run it with
//   node --snapshot-blob dist/snapshot/serve.blob serve --db ...
// Measured against bin/threadline by bench/startup-ab.ts (README, row 1). Options (env):
//   SNAPSHOT_PREWARM=0  do not build the first requests' schemas into the blob
//   SNAPSHOT_EAGER=1    compile every function of the bundle while it loads (V8 --no-lazy, reset after)
//   SNAPSHOT_NAME=x     write dist/snapshot/x.blob
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { englishOnlyZod, lazyBuiltins, sqliteAddon } from '../esbuild-plugins.mjs';

const out = resolve('dist/snapshot');
const dist = resolve('dist');
await build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  entryPoints: ['scripts/snapshot/entry.ts'],
  outfile: `${out}/bundle.cjs`,
  format: 'cjs',
  external: ['better-sqlite3/package.json'],
  conditions: ['@threadline/source'],
  define: { THREADLINE_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  plugins: [lazyBuiltins, sqliteAddon, englishOnlyZod],
  minifyWhitespace: true,
  minifySyntax: true,
});

// The snapshot's entry must be one script that requires only built-ins; its `require` can load
// nothing else, before or after deserialization. The bundle gets a stand-in that delegates to a
// real require made in the deserialize main (better-sqlite3's addon, hosts given by path).
// __dirname is fixed at build time: the bundle computes the built-in hosts' paths as it loads
// (src/host/load.ts), so a blob is only valid where it was built.
const eager = process.env.SNAPSHOT_EAGER === '1';
const entry = `'use strict';
let runtimeRequire = require;
const proxyRequire = (id) => runtimeRequire(id);
proxyRequire.resolve = (id, options) => runtimeRequire.resolve(id, options);
const mod = { exports: {} };
${eager ? "require('node:v8').setFlagsFromString('--no-lazy');" : ''}
(function (exports, require, module, __filename, __dirname) {
${readFileSync(`${out}/bundle.cjs`, 'latin1')}
})(mod.exports, proxyRequire, mod, ${JSON.stringify(`${dist}/threadline.cjs`)}, ${JSON.stringify(dist)});
${eager ? "require('node:v8').setFlagsFromString('--lazy'); // a blob loads only under the V8 flags it was built with" : ''}
${process.env.SNAPSHOT_PREWARM === '0' ? '' : 'mod.exports.prewarm();'}
require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {
  runtimeRequire = require('node:module').createRequire(${JSON.stringify(`${dist}/threadline.cjs`)});
  // Node 20 gives the arguments from argv[1] on (no script path); later versions repeat argv[0] there.
  const argv = process.argv.slice(process.argv[1] === process.argv[0] ? 2 : 1);
  mod.exports.main(argv);
});
`;
writeFileSync(`${out}/entry.cjs`, entry);
const blob = `${out}/${process.env.SNAPSHOT_NAME ?? 'serve'}.blob`;
// Written beside, then renamed: Node does not check a blob's integrity, a truncated one segfaults.
execFileSync(process.execPath, ['--snapshot-blob', `${blob}.tmp`, '--build-snapshot', `${out}/entry.cjs`], { stdio: ['ignore', 'inherit', 'inherit'] });
renameSync(`${blob}.tmp`, blob);
