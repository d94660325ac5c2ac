// Bundles the server into one file (better-sqlite3's native addon stays a file) and the
// protocol package into its publishable dist/ (ESM and CommonJS). Run by `npm run build`, and before every test.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { englishOnlyZod, lazyBuiltins, oneJsonRpcImport, protocolWithoutSideEffects, separateFiles, sqliteAddon } from './esbuild-plugins.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
// What bin/threadline compiles: the bundle already wrapped as Node wraps a CommonJS module, so it
// need not concatenate the wrapper at every start (V8 would then flatten a second copy of it).
const asModuleFunction = {
  format: 'cjs',
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '});' },
};

// Modules required from files of their own in dist/ (separateFiles), each built below: the
// Postgres adapter, with its driver, when a postgres:// store opens.
const SEPARATE = { 'src/store/postgres/store.ts': 'postgres.cjs' };
// The server: `serve` (and demo, help) in dist/threadline.cjs; `acp`, the same server speaking ACP,
// in dist/acp.cjs, so that serve's start-up never reads the ACP SDK's bytes.
const server = {
  ...common,
  ...asModuleFunction,
  external: ['better-sqlite3/package.json'], // found at run time, beside the addon (sqliteAddon)
  conditions: ['@threadline/source'],
  define: { THREADLINE_VERSION: JSON.stringify(pkg.version) },
  plugins: [lazyBuiltins, sqliteAddon, englishOnlyZod, oneJsonRpcImport, separateFiles(SEPARATE)],
  minifyWhitespace: true,
  minifySyntax: true,
};
await build({ ...server, entryPoints: ['src/main.ts'], outfile: 'dist/threadline.cjs' });
await build({ ...server, entryPoints: ['src/acp-main.ts'], outfile: 'dist/acp.cjs' });
for (const [source, file] of Object.entries(SEPARATE)) {
  const plugins = [protocolWithoutSideEffects];
  await build({ ...common, entryPoints: [source], outfile: `dist/${file}`, format: 'cjs', conditions: ['@threadline/source'], plugins, minifyWhitespace: true, minifySyntax: true });
}

// V8's code cache for each server bundle, made by running it once as an IDE's start does: `serve` on
// an in-memory database (nothing written anywhere), answering `initialize` and `thread/list`, then
// `shutdown` + `exit` (`acp`: ACP's `initialize`); bin/threadline loads it. A stale cache must never
// outlive its bundle.
rmSync('dist/threadline.cjs.cache', { force: true });
rmSync('dist/acp.cjs.cache', { force: true });
const rpc = (id, method, params) => {
  const body = JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, ...(params ? { params } : {}) });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};
const makeCache = (command, input) =>
  execFileSync(process.execPath, ['bin/threadline', command, '--db', ':memory:', '--log-level', 'error'], {
    env: { ...process.env, THREADLINE_WRITE_CODE_CACHE: '1' },
    input,
    stdio: ['pipe', 'ignore', 'inherit'],
    timeout: 60_000,
  });
makeCache('serve', [rpc(1, 'initialize', { protocolVersion: 1, clientInfo: { name: 'build' } }), rpc(2, 'thread/list', {}), rpc(3, 'shutdown'), rpc(undefined, 'exit')].join(''));
// An editor's first message (ACP is NDJSON; the agent exits when its input ends).
makeCache('acp', `${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: 1, clientCapabilities: {} } })}\n`);

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
  ...asModuleFunction,
  conditions: ['@threadline/source'],
  plugins: [englishOnlyZod, oneJsonRpcImport],
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
