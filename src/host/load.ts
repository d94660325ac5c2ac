import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CreateHost, EngineHost, HostOptions } from './port.js';

/** Hosts that ship inside the bundle. */
export const BUILTIN_HOSTS: Record<string, () => Promise<{ createHost: CreateHost }>> = {
  echo: () => import('./echo.js'),
};

/** A `--host` value resolved at start-up (so a missing one fails at once) but not yet imported. */
export interface HostSpec {
  name: string;
  load(): Promise<{ createHost: CreateHost }>;
}

export class HostNotFoundError extends Error {
  constructor(spec: string) {
    super(`host "${spec}" not found: use a built-in host (${Object.keys(BUILTIN_HOSTS).join(', ')}) or a path to a .js/.mjs module`);
    this.name = 'HostNotFoundError';
  }
}

export function resolveHost(spec: string, cwd = process.cwd()): HostSpec {
  const builtin = BUILTIN_HOSTS[spec];
  if (builtin) return { name: spec, load: builtin };
  const looksLikePath = spec.includes('/') || spec.includes('\\') || /\.(c|m)?js$/.test(spec);
  if (!looksLikePath) throw new HostNotFoundError(spec);
  const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
  if (!existsSync(path)) throw new HostNotFoundError(spec);
  return { name: path, load: () => import(pathToFileURL(path).href) as Promise<{ createHost: CreateHost }> };
}

/** Imports the host module on first use and creates the host once. */
export function lazyHost(spec: HostSpec, options: HostOptions = {}): () => Promise<EngineHost> {
  let host: Promise<EngineHost> | undefined;
  return () => {
    host ??= spec.load().then((mod) => {
      if (typeof mod.createHost !== 'function') throw new Error(`host module ${spec.name} does not export createHost`);
      return mod.createHost(options);
    });
    return host;
  };
}
