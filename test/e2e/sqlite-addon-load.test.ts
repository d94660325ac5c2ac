import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnThreadline } from '@threadline/protocol/node';
import { sqliteOnly } from '../helpers/test-db.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

// scripts/esbuild-plugins.mjs (sqliteAddon): the bundle loads the SQLite addon from the place its
// build found it, relative to the bundle, and else from wherever Node's resolution finds
// better-sqlite3 — as when the bundle is installed somewhere else than where it was built.
test('a server bundle copied away from where its build found the SQLite addon still opens a database', sqliteOnly('runs its own copy on :memory: SQLite'), async (t) => {
  const bundle = readFileSync(join(REPO, 'dist/threadline.cjs'), 'latin1');
  const built = /atBuild=\w+\(__dirname,"([^"]+)"/.exec(bundle)?.[1];
  assert.ok(built && existsSync(join(REPO, 'dist', built)), `the bundle names the place its build found the addon: ${built}`);
  // Inside the repository, so that Node's resolution finds node_modules by walking up; the
  // build's relative place (../node_modules/…) holds nothing from here.
  const root = mkdtempSync(join(REPO, '.addon-load-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  cpSync(join(REPO, 'dist/threadline.cjs'), join(root, 'dist/threadline.cjs'));
  assert.equal(existsSync(join(root, 'dist', built)), false);

  const { client, close } = await spawnThreadline({ bin: join(root, 'bin/threadline'), args: ['--db', join(root, 'copy.db')], stderr: 'ignore' });
  const { thread } = await client.request('thread/create', { title: 'from a copied bundle' });
  assert.equal((await client.request('thread/get', { threadId: thread.id })).thread.title, 'from a copied bundle');
  await close();
});
