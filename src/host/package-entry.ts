import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The file an `import(name)` from `cwd` would load, for `--host PACKAGE`. The server bundle lives
 * elsewhere, so a bare `import(name)` would search the wrong node_modules: resolve it here.
 * CommonJS resolution first; an ESM-only package (exports with only `import`) is read by hand.
 */
export function resolvePackageEntry(name: string, cwd: string): string | undefined {
  if (!/^(@[\w.-]+\/)?[\w.-]+$/.test(name)) return undefined;
  try {
    return createRequire(join(cwd, 'noop.js')).resolve(name);
  } catch {
    // fall through to the ESM-only case
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) return entryOf(pkgDir);
    if (dirname(dir) === dir) return undefined;
  }
}

function entryOf(pkgDir: string): string | undefined {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports?: unknown; module?: string; main?: string };
  const target = pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
  const file = join(pkgDir, target);
  return existsSync(file) ? file : undefined;
}

/** The `.` export under the conditions Node's `import` uses. */
function pick(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return pick(map['.']);
  for (const condition of ['node', 'import', 'default']) {
    const found = pick(map[condition]);
    if (found) return found;
  }
  return undefined;
}
