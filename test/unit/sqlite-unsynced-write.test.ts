import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, type Durability } from '../../src/store/sqlite/db.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import { newOwner } from '../store-contract/fixtures.js';

function openFile(t: { after(fn: () => void): void }, durability: Durability) {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-unsynced-'));
  const db = openDatabase(join(dir, 'threads.db'), durability);
  migrate(db);
  const store = createSqliteStore(db);
  t.after(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, store, level: () => db.pragma('synchronous', { simple: true }) as number };
}

// The owner row at start-up is written with writeUnsynced (lease-owner.ts): SQLite's
// synchronous = OFF for that one transaction, so a new WAL's first commit makes no fsync before
// the first answer. Only that transaction may run with it.
test('writeUnsynced commits with synchronous OFF, and only that transaction: a write queued behind it syncs', async (t) => {
  for (const [durability, level] of [['full', 2], ['normal', 1]] as const) {
    const { store, level: now } = openFile(t, durability);
    assert.equal(now(), level);
    const seen: [string, number][] = [];
    const unsynced = store.writeUnsynced!(async (tx) => {
      seen.push(['unsynced', now()]);
      await tx.owners.upsert(newOwner('own_1'));
    });
    const queued = store.write(async (tx) => {
      seen.push(['queued', now()]);
      await tx.owners.upsert(newOwner('own_2'));
    });
    await Promise.all([unsynced, queued]);
    assert.deepEqual(seen, [['unsynced', 0], ['queued', level]], durability);
    assert.equal(now(), level, 'restored after it');
    assert.deepEqual(await store.read(async (tx) => [await tx.owners.find('own_1'), await tx.owners.find('own_2')]), [newOwner('own_1'), newOwner('own_2')]);
  }
});

test('writeUnsynced that throws writes nothing, rethrows, and leaves synchronous as it was', async (t) => {
  const { store, level } = openFile(t, 'full');
  const failure = new Error('no');
  await assert.rejects(
    store.writeUnsynced!(async (tx) => {
      await tx.owners.upsert(newOwner('own_1'));
      throw failure;
    }),
    (error) => error === failure,
  );
  assert.equal(level(), 2);
  assert.equal(await store.read((tx) => tx.owners.find('own_1')), undefined);
});
