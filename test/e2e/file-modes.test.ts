import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { spawnThreadline } from '@threadline/protocol/node';
import { BIN, newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// The database holds conversations and tool output: what the server creates is for its user only
// (directories 0700, files 0600), whatever the umask. The servers below inherit the loosest umask
// there is, so a mode that merely relied on the usual 022 shows as group/world access.
process.umask(0o000);

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-modes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(3, '0');
}

/** The modes of the database and its -wal and -shm files (which exist while a server has it open). */
function fileModes(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].map(modeOf);
}

test('a new --db in directories that do not exist: each directory is created 0700, the database, -wal and -shm 0600', sqliteOnly('about the modes of the SQLite file, its -wal and -shm and their directories'), async (t) => {
  const root = tempDir(t);
  const dbPath = join(root, 'a', 'b', 'threadline.db');
  const { client } = await startServer(t, { dbPath });
  await newThread(client, { title: 'private' });
  assert.deepStrictEqual([modeOf(join(root, 'a')), modeOf(join(root, 'a', 'b'))], ['700', '700']);
  assert.deepStrictEqual(fileModes(dbPath), ['600', '600', '600']);
});

test('the default database path ($XDG_DATA_HOME/threadline/threadline.db) is created 0700/0600', sqliteOnly('about the modes of the SQLite file, its -wal and -shm and their directories'), async (t) => {
  const root = tempDir(t);
  const spawned = await spawnThreadline({ bin: BIN, env: { ...process.env, XDG_DATA_HOME: join(root, 'data') }, stderr: 'ignore' });
  t.after(() => spawned.close());
  await newThread(spawned.client);
  const dbPath = join(root, 'data', 'threadline', 'threadline.db');
  assert.deepStrictEqual([modeOf(join(root, 'data')), modeOf(join(root, 'data', 'threadline'))], ['700', '700']);
  assert.deepStrictEqual(fileModes(dbPath), ['600', '600', '600']);
});

test("an existing database file and directory keep the modes their owner chose (SQLite gives -wal and -shm the file's mode)", sqliteOnly('about the modes of the SQLite file, its -wal and -shm and their directories'), async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const dbPath = join(dir, 'shared.db');
  new Database(dbPath).close();
  chmodSync(dbPath, 0o644);
  const { client } = await startServer(t, { dbPath });
  await newThread(client);
  assert.equal(modeOf(dir), '755');
  assert.deepStrictEqual(fileModes(dbPath), ['644', '644', '644']);
});

test('an existing directory keeps its mode; only the new database file in it is 0600', sqliteOnly('about the modes of the SQLite file, its -wal and -shm and their directories'), async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o775);
  const dbPath = join(dir, 'threadline.db');
  const { client } = await startServer(t, { dbPath });
  await newThread(client);
  assert.equal(modeOf(dir), '775');
  assert.deepStrictEqual(fileModes(dbPath), ['600', '600', '600']);
});
