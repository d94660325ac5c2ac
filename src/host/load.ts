import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOST_API_VERSION, type CreateHost, type EngineHost, type HostOptions, type HostServices } from './port.js';
import { resolvePackageEntry } from './package-entry.js';

type HostModule = { createHost?: unknown };

/**
 * Heavy built-in hosts are separate esbuild outputs next to the server bundle (dist/hosts/*.cjs),
 * required on first use, so they cost nothing at start-up (`initialize` never waits on them).
 */
function bundledHostFile(name: string): string {
  return join(typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.'), 'hosts', `${name}.cjs`);
}

/** Hosts that ship with Threadline. */
export const BUILTIN_HOSTS: Record<string, { file?: string; load: () => Promise<HostModule> }> = {
  echo: { load: () => import('./echo.js') },
  exec: { load: () => import('./exec/host.js') },
  openai: { file: bundledHostFile('openai'), load: async () => createRequire(bundledHostFile('openai'))(bundledHostFile('openai')) as HostModule },
};

/** A `--host` value resolved at start-up (so a missing one fails at once) but not yet imported. */
export interface HostSpec {
  name: string;
  builtin: boolean;
  load(): Promise<HostModule>;
}

/** A `--host` that names nothing loadable: `threadline serve` exits 2 with this one line. */
export class HostNotFoundError extends Error {
  constructor(spec: string, why: string) {
    super(`host "${spec}" not found: ${why}`);
    this.name = 'HostNotFoundError';
  }
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** `--host NAME|PATH|PACKAGE`: a built-in name, a .js/.mjs file, or an npm package installed from `cwd`. */
export function resolveHost(spec: string, cwd = process.cwd()): HostSpec {
  const builtin = BUILTIN_HOSTS[spec];
  if (builtin) {
    if (builtin.file && !existsSync(builtin.file)) throw new HostNotFoundError(spec, `the built-in host's bundle ${builtin.file} is missing (run npm run build)`);
    return { name: spec, builtin: true, load: builtin.load };
  }
  const looksLikePath = spec.startsWith('.') || isAbsolute(spec) || spec.includes('\\') || MODULE_EXTENSIONS.has(extname(spec));
  if (looksLikePath) {
    const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
    if (!MODULE_EXTENSIONS.has(extname(path))) throw new HostNotFoundError(spec, 'a host file must be a .js or .mjs module');
    if (!existsSync(path)) throw new HostNotFoundError(spec, `no such file ${path}`);
    return { name: path, builtin: false, load: () => importModule(pathToFileURL(path).href) };
  }
  const entry = resolvePackageEntry(spec, cwd);
  if (!entry) {
    const names = Object.keys(BUILTIN_HOSTS).join(', ');
    throw new HostNotFoundError(spec, `not a built-in host (${names}), a .js/.mjs file, or an npm package installed under ${cwd}`);
  }
  return { name: spec, builtin: false, load: () => importModule(pathToFileURL(entry).href) };
}

/**
 * Imports the host module on first use and creates the host once. A failure is not cached: the
 * turn that hit it fails, and the next turn tries again.
 */
export function lazyHost(spec: HostSpec, options: HostOptions, services: HostServices): () => Promise<EngineHost> {
  let host: Promise<EngineHost> | undefined;
  return () => {
    host ??= createFrom(spec, options, services);
    host.catch(() => (host = undefined));
    return host;
  };
}

async function createFrom(spec: HostSpec, options: HostOptions, services: HostServices): Promise<EngineHost> {
  const started = performance.now();
  let mod: HostModule;
  try {
    mod = await spec.load();
  } catch (error) {
    throw new Error(`could not import the host module: ${messageOf(error)}`);
  }
  const createHost = (mod.createHost ?? (mod as { default?: HostModule }).default?.createHost) as CreateHost | undefined;
  if (typeof createHost !== 'function') throw new Error('the host module does not export a createHost function');
  let host: EngineHost;
  try {
    host = await createHost({ ...options }, services);
  } catch (error) {
    throw new Error(`createHost failed: ${messageOf(error)}`);
  }
  if (typeof host !== 'object' || host === null || typeof host.loadEngine !== 'function') {
    throw new Error('createHost did not return a host with a loadEngine function');
  }
  if (host.apiVersion !== undefined && host.apiVersion !== HOST_API_VERSION) {
    throw new Error(`the host was written for host API version ${String(host.apiVersion)}; this Threadline supports ${HOST_API_VERSION}`);
  }
  services.log.info('host loaded', { host: spec.name, ms: Math.round(performance.now() - started) });
  return host;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `import()` of a host module. bin/threadline runs the bundle from V8's code cache, and code
 * compiled that way cannot call import() itself on Node 20, so the launcher lends its own.
 */
function importModule(url: string): Promise<HostModule> {
  const lent = (globalThis as Record<symbol, unknown>)[Symbol.for('threadline.import')];
  return (typeof lent === 'function' ? lent(url) : import(url)) as Promise<HostModule>;
}
