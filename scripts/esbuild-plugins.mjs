// esbuild plugins shared by scripts/build.mjs and the start-up snapshot's bundle (scripts/snapshot/).
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const requireHere = createRequire(import.meta.url);
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** An export name a generated module can re-export or define a getter for. */
const isIdentifier = (name) => /^[A-Za-z_$][\w$]*$/.test(name);

/**
 * Node built-ins that serve's start-up imports but does not call (node:child_process comes with the
 * protocol package's spawn helper, the exec host and the shell tool, and loads dgram, net handles
 * and more with it; node:module, for hosts and tool sources given by path, loads the ESM loader
 * and source maps' support, ~1 ms): each import gets a stand-in whose exports load the real module
 * on first use.
 * esbuild reads a named import of a CommonJS module at each use (`import_x.spawn(...)`), so the
 * getters below run only when the code does.
 */
const LAZY_BUILTINS = ['child_process', 'module'];
export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      // The stand-in's own require is of the real module.
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const names = Object.keys(await import(`node:${args.path}`)).filter((n) => n !== 'default' && isIdentifier(n));
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
 * Here `bindings` is replaced by a direct load of the addon in the installed better-sqlite3
 * package (build/Release, where npm and scripts/with-node.sh put it; build/Debug as bindings would):
 * first with `process.dlopen` at the place the build found it, relative to the bundle — Node's
 * resolution (package.json lookups, a realpath of every path component) was 0.4 of the 0.65 ms
 * the addon took to load — then, where that place holds nothing (the bundle installed elsewhere),
 * wherever Node's resolution finds the package.
 */
export const sqliteAddon = {
  name: 'sqlite-addon',
  setup(b) {
    const outDir = resolve(b.initialOptions.absWorkingDir ?? process.cwd(), dirname(b.initialOptions.outfile ?? 'dist/x'));
    const built = relative(outDir, join(dirname(requireHere.resolve('better-sqlite3/package.json')), 'build', 'Release'));
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'sqlite-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'sqlite-addon' }, () => ({
      contents: `const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
module.exports = (name) => {
  const atBuild = join(__dirname, ${JSON.stringify(built)}, name);
  if (existsSync(atBuild)) {
    const addon = { exports: {} };
    process.dlopen(addon, atBuild);
    return addon.exports;
  }
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
export const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js' }));
  },
};

/**
 * vscode-jsonrpc is CommonJS, and esbuild gives every ES module that imports one its own
 * `__toESM` copy of the exports: a getter defined per name (~150 of them), five copies in serve's
 * start-up (0.65 ms of CPU and ~300 KB of garbage, measured with perf stat over 60 interleaved
 * starts). Here every import of it goes through one ES module that re-exports its names, so it
 * is copied once; an ES module's imports of another's exports cost nothing at run time.
 */
export const oneJsonRpcImport = {
  name: 'one-jsonrpc-import',
  setup(b) {
    b.onResolve({ filter: /^vscode-jsonrpc(\/node)?$/ }, (args) =>
      // The re-exporting module's own import is of the real package.
      args.namespace === 'jsonrpc-once' ? undefined : { path: 'vscode-jsonrpc/node', namespace: 'jsonrpc-once' },
    );
    b.onLoad({ filter: /.*/, namespace: 'jsonrpc-once' }, () => {
      const names = Object.keys(requireHere('vscode-jsonrpc/node')).filter(isIdentifier);
      return { contents: `export { ${names.join(', ')} } from 'vscode-jsonrpc/node';\n`, resolveDir: REPO, loader: 'js' };
    });
  },
};

/**
 * Modules the server loads only on some starts (the Postgres adapter with its driver, for a
 * postgres:// `--db`) are bundles of their own beside dist/threadline.cjs, required on first use:
 * serve's start-up reads and copies every byte of its bundle, used or not. `files` maps a source
 * file (relative to the repository) to its file in dist/; scripts/build.mjs builds each. An import
 * of that source becomes a module of the bundle that requires the file, so a dynamic `import()`
 * of it is a `require` when it runs (bin/ compiles the bundle as a script, where `import()` has no
 * loader). Only for modules nothing else in the bundle shares (a second copy of a module is a
 * second instance of its classes).
 */
export const separateFiles = (files) => ({
  name: 'separate-files',
  setup(b) {
    const root = b.initialOptions.absWorkingDir ?? process.cwd();
    const bySource = new Map(Object.entries(files).map(([source, file]) => [resolve(root, source), file]));
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.namespace === 'separate-file') return { path: args.path, external: true };
      const file = bySource.get(resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
      return file && { path: file, namespace: 'separate-file' };
    });
    b.onLoad({ filter: /.*/, namespace: 'separate-file' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${args.path}`)});\n`,
      loader: 'js',
    }));
  },
});

/**
 * For a bundle that takes a few pure functions of the protocol package (the Postgres adapter's
 * `redactMcpServers`): its modules are declared free of side effects, so esbuild keeps only what
 * is used, not every module the package's index reaches (its schemas, zod, its client). The
 * package itself declares nothing (its consumers' bundlers keep their own judgement).
 */
const PROTOCOL_DIR = join(REPO, 'protocol') + '/';
export const protocolWithoutSideEffects = {
  name: 'protocol-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined;
      const { kind, importer, resolveDir } = args;
      const found = await b.resolve(args.path, { kind, importer, resolveDir, pluginData: { resolving: true } });
      if (found.errors.length > 0 || !found.path.startsWith(PROTOCOL_DIR)) return undefined;
      return { path: found.path, namespace: found.namespace, sideEffects: false };
    });
  },
};
