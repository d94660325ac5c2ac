import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles a TypeScript host (e.g. examples/hosts/shout-host.ts) to an .mjs module in a temp dir, as its README says. */
export async function buildHost(t: TestContext, source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-host-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'host.mjs');
  await build({ entryPoints: [join(ROOT, source)], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  return outfile;
}
