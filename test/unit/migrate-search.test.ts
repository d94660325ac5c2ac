import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';

const settings = { model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} };

test('migration 008 drops the search triggers and keeps the index a version-7 file built; the store then keeps it', async () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS.filter((m) => m.version <= 7));
  // Written at 007: its triggers index these rows.
  db.exec(`INSERT INTO threads (id, title, auto_approve, trust_mode, metadata, created_at, updated_at) VALUES ('thr_1', 'Old Title', 0, 0, '{}', 'x', 'x');
    INSERT INTO turns (id, thread_id, status, input_summary, options, created_at, start_seq) VALUES ('turn_1', 'thr_1', 'completed', 's', '{}', 'x', 1);
    INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail) VALUES
      ('item_1', 'turn_1', 'thr_1', 1, 'user_message', 'completed', 's', 'older words here'),
      ('item_2', 'turn_1', 'thr_1', 2, 'agent_message', 'in_progress', 's', NULL);
    UPDATE items SET status = 'completed', detail = 'streamed reply' WHERE id = 'item_2';`);
  const indexed = db.prepare('SELECT count(*) AS n FROM search_fts').get() as { n: number };
  assert.equal(indexed.n, 3, 'the 007 triggers indexed the title and both messages');

  assert.equal(migrate(db), LATEST_SCHEMA_VERSION); // 008 and whatever came after it
  assert.deepStrictEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'").all(), []);

  const store = createSqliteStore(db);
  const find = async (word: string) => (await store.read((tx) => tx.reports.search([word], false, 10, 0))).map((h) => h.itemId ?? h.thread.id);
  assert.deepStrictEqual(await find('older'), ['item_1']);
  assert.deepStrictEqual(await find('streamed'), ['item_2']);
  assert.deepStrictEqual(await find('title'), ['thr_1']);

  // The code paths keep what the triggers kept: a retitle replaces the old title's entry...
  await store.write((tx) => tx.threads.updateSettings('thr_1', { title: 'Renamed', ...settings }, 'y'));
  assert.deepStrictEqual(await find('title'), []);
  assert.deepStrictEqual(await find('renamed'), ['thr_1']);
  // ...a new message is indexed, and a deleted thread takes every entry, old and new, with it.
  await store.write((tx) => tx.items.insert({ id: 'item_3', turnId: 'turn_1', threadId: 'thr_1', kind: 'user_message', status: 'completed', summary: 's', detail: 'newer words', now: 'y' }));
  assert.deepStrictEqual((await find('words')).sort(), ['item_1', 'item_3']);
  await store.write((tx) => tx.threads.delete('thr_1'));
  assert.deepStrictEqual([await find('older'), await find('newer'), await find('renamed')], [[], [], []]);
  assert.deepStrictEqual(await store.read((tx) => tx.reports.searchIndexSize()), { titles: 0, messages: 0 });
  assert.equal((db.prepare('SELECT count(*) AS n FROM search_fts').get() as { n: number }).n, 0);
  await store.close();
});
