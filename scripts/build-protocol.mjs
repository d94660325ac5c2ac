// Builds the publishable @threadline/protocol into protocol/dist: an ESM and a CommonJS copy of
// every module (unbundled, so both entry points share one copy of each class and `instanceof`
// holds across `@threadline/protocol` and `@threadline/protocol/node`), and their declarations.
// dist/cjs has its own package.json ("type": "commonjs"), so Node and TypeScript read the .js and
// .d.ts files there as CommonJS. Run by `npm run build` and by the package's `prepack`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const protocol = fileURLToPath(new URL('../protocol/', import.meta.url));
const dist = `${protocol}dist/`;
/** Every module, sub-folders (methods/) included; dist/ and tests are not sources. */
const sources = readdirSync(protocol, { recursive: true })
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('dist') && !name.startsWith('node_modules'))
  .map((name) => `${protocol}${name}`);

rmSync(dist, { recursive: true, force: true });
const common = { entryPoints: sources, outbase: protocol, bundle: false, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
await build({ ...common, outdir: `${dist}esm`, format: 'esm' });
await build({ ...common, outdir: `${dist}cjs`, format: 'cjs' });
writeFileSync(`${dist}cjs/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// Declarations once (tsconfig: outDir dist/esm), then the same files for the CommonJS copy.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', protocol], { stdio: 'inherit' });
mkdirSync(`${dist}cjs`, { recursive: true });
for (const name of readdirSync(`${dist}esm`, { recursive: true })) {
  if (!name.endsWith('.d.ts')) continue;
  mkdirSync(dirname(`${dist}cjs/${name}`), { recursive: true });
  copyFileSync(`${dist}esm/${name}`, `${dist}cjs/${name}`);
}
