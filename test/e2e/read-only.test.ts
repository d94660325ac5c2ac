import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { assertWritesRefused } from '../helpers/read-only.js';
import { runCli } from '../helpers/run-cli.js';
import { newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

function tempDb(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-ro-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'threadline.db');
}

/** The database's bytes and its WAL's (absent: null), to compare before and after. */
function snapshot(dbPath: string): { db: Buffer; wal: Buffer | null } {
  return { db: readFileSync(dbPath), wal: existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`) : null };
}

test('serve --read-only serves reads, refuses every write with -32030 data.readOnly, and leaves the file as it was', sqliteOnly('compares the bytes of the SQLite file; e2e/postgres-read-only is its Postgres counterpart'), async (t) => {
  const dbPath = tempDb(t);
  const writer = await startServer(t, { dbPath });
  const thread = await newThread(writer.client, { title: 'kept' });
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello' });
  await writer.client.request('turn/wait', { turnId: turn!.id });
  await writer.spawned.close();
  const before = snapshot(dbPath);

  const reader = await startServer(t, { dbPath, args: ['--read-only'] });
  const { threads } = await reader.client.request('thread/list', {});
  assert.deepEqual(threads.map((th) => th.title), ['kept']);
  const { turns } = await reader.client.request('thread/turns', { threadId: thread.id });
  assert.equal(turns.length, 1);
  const writes: [string, object][] = [
    ['thread/create', { title: 'no' }],
    ['thread/update', { threadId: thread.id, title: 'renamed' }],
    ['thread/startTurn', { threadId: thread.id, prompt: 'again' }],
    ['thread/fork', { threadId: thread.id }],
    ['thread/revert', { threadId: thread.id, beforeTurnId: turns[0]!.id }],
    ['thread/archive', { threadId: thread.id }],
    ['thread/delete', { threadId: thread.id }],
  ];
  await assertWritesRefused(reader.client, writes);
  assert.equal((await reader.client.request('thread/get', { threadId: thread.id })).thread.title, 'kept');
  await reader.spawned.close();
  const after = snapshot(dbPath);
  assert.ok(after.db.equals(before.db), 'the database file is byte for byte the same');
  // SQLite's WAL readers may create an empty -wal; none of its bytes come from the reader.
  assert.ok(before.wal ? after.wal?.equals(before.wal) : after.wal === null || after.wal.length === 0, 'the WAL is unchanged');
});

test('serve --read-only refuses a missing file, :memory:, and a schema of another version, in one line with exit 2', sqliteOnly('compares the bytes of the SQLite file; e2e/postgres-read-only is its Postgres counterpart'), async (t) => {
  const dbPath = tempDb(t);
  const missing = await runCli(['serve', '--read-only', '--db', dbPath]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^threadline: cannot open database .*no such file \(--read-only opens an existing database\)\n$/);
  assert.equal(existsSync(dbPath), false, 'not created');
  const memory = await runCli(['serve', '--read-only', '--db', ':memory:']);
  assert.equal(memory.code, 2);
  assert.equal(memory.stderr, 'threadline: --read-only needs an existing database (a file or a postgres:// URL), not ":memory:"\n');
  for (const [version, word] of [[1, 'older'], [999, 'newer']] as const) {
    const db = new Database(dbPath);
    db.pragma(`user_version = ${version}`);
    db.close();
    const before = readFileSync(dbPath);
    const run = await runCli(['serve', '--read-only', '--db', dbPath]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`schema version ${version} is ${word} than`));
    assert.ok(readFileSync(dbPath).equals(before), 'not migrated');
  }
  const acp = await runCli(['acp', '--read-only', '--db', dbPath]);
  assert.equal(acp.code, 2);
  assert.equal(acp.stderr, 'threadline: --read-only is an option of serve, not acp\n');
});
