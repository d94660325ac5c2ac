// esbuild plugins shared by scripts/build.mjs and the start-up snapshot's bundle (scripts/snapshot/).
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
export const sqliteAddon = {
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
export const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js' }));
  },
};

