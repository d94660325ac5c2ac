import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BIN } from '../helpers/server.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The ```ts block under "## Using it from an IDE extension" in README.md. */
export function integrationSnippet(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Using it from an IDE extension'));
  assert.ok(section, 'README.md has a "## Using it from an IDE extension" section');
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the section has a ```ts block');
  return block[1]!;
}

/** What the snippet leaves to the extension: drawing text, asking the user, an output channel. */
const STUBS = `
export function render(itemId: string, text: string): void {
  console.log('render', JSON.stringify({ itemId, text }));
}
export async function askUser(summary: string): Promise<boolean> {
  console.log('askUser', JSON.stringify(summary));
  return true;
}
export function log(line: string): void {
  console.log('log', JSON.stringify(line));
}
`;

test('the README\'s integration snippet typechecks and runs against the built server', async (t) => {
  const snippet = integrationSnippet(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  // In the repo so that @threadline/protocol resolves; removed afterwards.
  const dir = mkdtempSync(join(ROOT, 'test', '.readme-snippet-'));
  const scratch = mkdtempSync(join(tmpdir(), 'threadline-readme-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });
  const code = snippet
    .replaceAll('/path/to/threadline/bin/threadline', BIN)
    .replaceAll('/path/to/workspace.db', join(scratch, 'workspace.db'))
    .replaceAll('/work/repo', scratch);
  writeFileSync(join(dir, 'snippet.ts'), `${code}\n${STUBS}`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', include: ['snippet.ts'] }));

  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch((error: { stdout?: string }) => {
    throw new Error(`the README snippet does not typecheck:\n${error.stdout}\n--- snippet ---\n${code}`);
  });
  const { stdout } = await run(process.execPath, ['--conditions=@threadline/source', '--import', 'tsx', join(dir, 'snippet.ts')], {
    cwd: ROOT,
    timeout: 30_000,
  });
  assert.match(stdout, /^render /m, 'item.delta events reached render()');
  assert.match(stdout, /turn ended: completed/);
});
