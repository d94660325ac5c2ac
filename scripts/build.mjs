// Bundles the server into one file (better-sqlite3's native addon stays a file) and the
// protocol package into its publishable dist/ (ESM and CommonJS). Run by `npm run build`, and before every test.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
/**
 * Node built-ins that serve's start-up imports but does not call (node:child_process comes with the
 * protocol package's spawn helper, the exec host and the shell tool, and loads dgram, net handles
 * and more with it): each import gets a stand-in whose exports load the real module on first use.
 * esbuild reads a named import of a CommonJS module at each use (`import_x.spawn(...)`), so the
 * getters below run only when the code does.
 */
const LAZY_BUILTINS = ['child_process'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      // The stand-in's own require is of the real module.
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const names = Object.keys(await import(`node:${args.path}`)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const getters = names.map((n) => `  get ${n}() { return load().${n}; },`).join('\n');
      return {
        contents: `let real;\nconst load = () => (real ??= require('node:${args.path}'));\nmodule.exports = {\n${getters}\n};\n`,
        loader: 'js',
      };
    });
  },
};

/**
 * better-sqlite3's JavaScript goes into the bundle (and so into its code cache), only its native
 * addon stays a file: loaded as a package it is a dozen small files resolved, read and compiled on
 * every start, and its `bindings` helper finds the addon by parsing stack traces and trying paths.
 * Here `bindings` is replaced by a direct require of the addon in the installed better-sqlite3
 * package (build/Release, where npm and scripts/with-node.sh put it; build/Debug as bindings would).
 */
const sqliteAddon = {
  name: 'sqlite-addon',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'sqlite-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: `const { dirname, join } = require('node:path');
module.exports = (name) => {
  const dir = join(dirname(require.resolve('better-sqlite3/package.json')), 'build');
  try {
    return require(join(dir, 'Release', name));
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    return require(join(dir, 'Debug', name));
  }
};
`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z.locales` namespace: some fifty translations of its error messages (a third of the
 * bundle's source), reachable only as `z.locales.xx()`, which nothing here calls; messages stay
 * English (the default zod installs itself). Replaced by that one locale, so start-up neither
 * parses nor code-caches the rest.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js' }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/threadline.cjs',
  format: 'cjs',
  external: ['better-sqlite3/package.json'], // found at run time, beside the addon (sqliteAddon)
  conditions: ['@threadline/source'],
  define: { THREADLINE_VERSION: JSON.stringify(pkg.version) },
  plugins: [lazyBuiltins, sqliteAddon, englishOnlyZod],
  minifyWhitespace: true,
  minifySyntax: true,
});

// V8's code cache for the bundle, made by running it once as an IDE's start does: `serve` on an
// in-memory database (nothing written anywhere), answering `initialize` and `thread/list`, then
// `shutdown` + `exit`; bin/threadline loads it. A stale cache must never outlive its bundle.
rmSync('dist/threadline.cjs.cache', { force: true });
const rpc = (id, method, params) => {
  const body = JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, ...(params ? { params } : {}) });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};
execFileSync(process.execPath, ['bin/threadline', 'serve', '--db', ':memory:', '--log-level', 'error'], {
  env: { ...process.env, THREADLINE_WRITE_CODE_CACHE: '1' },
  input: [rpc(1, 'initialize', { protocolVersion: 1, clientInfo: { name: 'build' } }), rpc(2, 'thread/list', {}), rpc(3, 'shutdown'), rpc(undefined, 'exit')].join(''),
  stdio: ['pipe', 'ignore', 'inherit'],
  timeout: 60_000,
});

// Heavy built-in hosts are their own files, required on first use, so they never slow start-up.
await build({
  ...common,
  entryPoints: { openai: 'src/host/openai/host.ts', 'tools-mcp': 'src/tools/mcp/index.ts' },
  outdir: 'dist/hosts',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  conditions: ['@threadline/source'],
  plugins: [englishOnlyZod],
});

// The protocol package: ESM + CommonJS + declarations (scripts/build-protocol.mjs).
await import('./build-protocol.mjs');

// The terminal frontend (clients/chat: `threadline chat`, `threadline schema`) is its own bundle,
// required only by those commands, so serve's start-up never pays for it; the protocol's
// declarations (just built) go next to it for `threadline schema --out`.
await build({
  ...common,
  entryPoints: ['clients/chat/src/main.ts'],
  outfile: 'dist/chat.cjs',
  format: 'cjs',
  conditions: ['@threadline/source'],
  plugins: [englishOnlyZod],
  minifyWhitespace: true,
  minifySyntax: true,
});
// Its code cache, made by a run that loads the protocol's schemas (the slow part of its start-up).
rmSync('dist/chat.cjs.cache', { force: true });
execFileSync(process.execPath, ['bin/threadline', 'schema'], {
  env: { ...process.env, THREADLINE_WRITE_CHAT_CODE_CACHE: '1' },
  stdio: 'ignore',
});
rmSync('dist/protocol-types', { recursive: true, force: true });
cpSync('protocol/dist/esm', 'dist/protocol-types', { recursive: true, filter: (src) => !/\.(js|map)$/.test(src) });
