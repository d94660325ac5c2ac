import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// Issue 17: the owner row's durable commit is work no answer needs, so `initialize` does not
// wait for it; the next request is served after it. Opening, migrating and recovering the
// database still come before `initialize` (e2e/spawn-failures: a bad database fails the spawn).

test('initialize is answered while another connection holds the write lock; the owner row is written once it is released, before the next answer', sqliteOnly('holds a write lock on the SQLite file with better-sqlite3'), async (t) => {
  const first = await startServer(t);
  await newThread(first.client);
  await first.kill();
  const lock = new Database(first.dbPath);
  t.after(() => lock.close());
  lock.exec('BEGIN IMMEDIATE');
  // The owner row waits for the lock, for at most the 5 s busy timeout, and then would be given
  // up with a warning (recorded later by the heartbeat): `initialize` must not wait for it.
  const second = await startServer(t, { dbPath: first.dbPath });
  assert.ok(lock.inTransaction);
  lock.exec('COMMIT');
  assert.equal((await second.client.request('thread/list', {})).threads.length, 1);
  assert.deepStrictEqual(second.stderr.filter((line) => line.includes('could not record this server process')), []);
  const owners = lock.prepare('SELECT pid FROM owners').all() as { pid: number }[];
  assert.ok(owners.some((o) => o.pid === second.spawned.process.pid), JSON.stringify(owners));
});
