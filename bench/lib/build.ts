import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BASELINES_DIST, BASELINES_SRC } from './paths.js';

/**
 * Bundles every bench/baselines/*.ts the way scripts/build.mjs bundles the server (one CJS file,
 * better-sqlite3 external), so no baseline pays for TypeScript or tsx at run time either.
 */
export async function buildBaselines(): Promise<void> {
  const entries = readdirSync(BASELINES_SRC).filter((f) => f.endsWith('.ts'));
  await build({
    entryPoints: entries.map((f) => join(BASELINES_SRC, f)),
    outdir: BASELINES_DIST,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['better-sqlite3'],
    logLevel: 'warning',
  });
}
