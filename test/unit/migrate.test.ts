import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/sqlite/db.js';
import { LATEST_SCHEMA_VERSION, NewerSchemaError, migrate, schemaVersion } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/store/sqlite/migrations/index.js';

const TABLES = [
  'admissions', 'approval_rules', 'client_requests', 'events', 'items', 'owners', 'routing_rules',
  // migration 006: the search index (an FTS5 table and the shadow tables it keeps)
  'search_docs', 'search_fts', 'search_fts_config', 'search_fts_content', 'search_fts_data', 'search_fts_docsize', 'search_fts_idx',
  'threads', 'turns',
];

/** A fresh database path in its own temp directory; connections opened through `open` are closed after the test. */
function tempDb(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-migrate-'));
  const path = join(dir, 'db.sqlite');
  const connections: Database.Database[] = [];
  t.after(() => {
    for (const db of connections) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (db: Database.Database = new Database(path)) => {
    connections.push(db);
    return db;
  };
  return { path, open };
}

function tables(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

test('an empty database migrates to the latest schema version with every table', (t) => {
  const db = tempDb(t).open();
  assert.equal(schemaVersion(db), 0);
  assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  assert.deepStrictEqual(tables(db), TABLES);
});

test('migrating a current database again is a no-op that keeps its data', (t) => {
  const db = tempDb(t).open();
  migrate(db);
  db.prepare('INSERT INTO routing_rules (intent, model) VALUES (?, ?)').run('code', 'big-model');
  const before = db.prepare('SELECT * FROM routing_rules').all();
  assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
  assert.deepStrictEqual(tables(db), TABLES);
  assert.deepStrictEqual(db.prepare('SELECT * FROM routing_rules').all(), before);
  assert.equal(before.length, 1);
});

test('a second connection to the same file finds the schema current and changes nothing', (t) => {
  const { path, open } = tempDb(t);
  const first = open();
  migrate(first);
  first.prepare('INSERT INTO routing_rules (intent, model) VALUES (?, ?)').run('chat', 'small-model');
  const bytesBefore = readFileSync(path);
  const second = open();
  assert.equal(migrate(second), LATEST_SCHEMA_VERSION);
  assert.deepStrictEqual(readFileSync(path), bytesBefore);
  assert.equal(schemaVersion(second), LATEST_SCHEMA_VERSION);
  assert.deepStrictEqual(tables(second), TABLES);
  assert.deepStrictEqual(second.prepare('SELECT intent, model FROM routing_rules').all(), [
    { intent: 'chat', model: 'small-model' },
  ]);
  assert.equal(migrate(first), LATEST_SCHEMA_VERSION);
});

test('a database from a newer schema version is refused with NewerSchemaError and left unchanged', (t) => {
  const { path, open } = tempDb(t);
  const newer = LATEST_SCHEMA_VERSION + 1;
  const setup = open();
  setup.pragma(`user_version = ${newer}`);
  setup.close();
  const bytesBefore = readFileSync(path);

  const db = open();
  assert.throws(
    () => migrate(db),
    (error: unknown) => {
      assert.ok(error instanceof NewerSchemaError);
      assert.equal(error.name, 'NewerSchemaError');
      assert.equal(error.found, newer);
      assert.equal(error.supported, LATEST_SCHEMA_VERSION);
      assert.match(error.message, new RegExp(`\\b${newer}\\b`));
      assert.match(error.message, new RegExp(`\\b${LATEST_SCHEMA_VERSION}\\b`));
      return true;
    },
  );
  assert.equal(schemaVersion(db), newer);
  assert.deepStrictEqual(tables(db), []);
  db.close();
  assert.deepStrictEqual(readFileSync(path), bytesBefore);
});

test('each migration runs in a transaction: a broken second migration keeps the first and none of itself', (t) => {
  const db = tempDb(t).open();
  const migrations: Migration[] = [
    { version: 1, name: 'one', sql: 'CREATE TABLE first (x INTEGER);' },
    { version: 2, name: 'two', sql: 'CREATE TABLE second (x INTEGER); CREATE TABLEX broken (;' },
    { version: 3, name: 'three', sql: 'CREATE TABLE third (x INTEGER);' },
  ];
  assert.throws(() => migrate(db, migrations), /syntax error/);
  assert.equal(schemaVersion(db), 1);
  assert.deepStrictEqual(tables(db), ['first']);
});

test('a fixed migration list resumes from the last applied version', (t) => {
  const db = tempDb(t).open();
  const one: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE first (x INTEGER); INSERT INTO first VALUES (1);' };
  assert.equal(migrate(db, [one]), 1);
  const two: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE second (x INTEGER);' };
  assert.equal(migrate(db, [one, two]), 2);
  assert.deepStrictEqual(tables(db), ['first', 'second']);
  assert.deepStrictEqual(db.prepare('SELECT x FROM first').all(), [{ x: 1 }]);
});

test("openDatabase with durability 'full' uses WAL and synchronous FULL", (t) => {
  const { path, open } = tempDb(t);
  const db = open(openDatabase(path, 'full'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
});

test("openDatabase with durability 'normal' uses WAL and synchronous NORMAL", (t) => {
  const { path, open } = tempDb(t);
  const db = open(openDatabase(path, 'normal'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 1);
});

test('migration 004 keeps the owner rows of a version-3 file, with no PID namespace and no ttl (never judged by pid)', (t) => {
  const db = tempDb(t).open();
  migrate(db, MIGRATIONS.filter((m) => m.version <= 3));
  db.prepare(`INSERT INTO owners (id, pid, hostname, process_key, started_at, heartbeat_at)
    VALUES ('old', 42, 'host', 'boot:1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z')`).run();
  assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
  assert.deepStrictEqual(db.prepare('SELECT id, pid, pid_namespace, lease_ttl_ms FROM owners').all(), [
    { id: 'old', pid: 42, pid_namespace: null, lease_ttl_ms: null },
  ]);
});

test('a database of schema 5 gains the search index, filled from its titles and finished messages', (t) => {
  const db = tempDb(t).open();
  migrate(db, MIGRATIONS.slice(0, 5));
  db.exec(`INSERT INTO threads (id, title, auto_approve, trust_mode, metadata, created_at, updated_at) VALUES ('thr_1', 'Old Title', 0, 0, '{}', 'x', 'x');
    INSERT INTO turns (id, thread_id, status, input_summary, options, created_at, start_seq) VALUES ('turn_1', 'thr_1', 'completed', 's', '{}', 'x', 1);
    INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail) VALUES
      ('item_1', 'turn_1', 'thr_1', 1, 'user_message', 'completed', 's', 'older words here'),
      ('item_2', 'turn_1', 'thr_1', 2, 'reasoning', 'completed', 's', 'older thoughts'),
      ('item_3', 'turn_1', 'thr_1', 3, 'agent_message', 'in_progress', 's', 'older stream');`);
  assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
  const hits = (q: string) =>
    (db.prepare("SELECT d.thread_id, d.item_id FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ? ORDER BY d.id").all(q) as { thread_id: string; item_id: string | null }[]).map((r) => r.item_id ?? r.thread_id);
  assert.deepStrictEqual(hits('older'), ['item_1']);
  assert.deepStrictEqual(hits('title'), ['thr_1']);
});

test('migration 011 drops admissions_pending, and the queue reads still go through admissions_queue', (t) => {
  const { open } = tempDb(t);
  const db = open();
  migrate(db, MIGRATIONS.slice(0, 10));
  const indexes = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'admissions'").all() as { name: string }[]).map((r) => r.name);
  assert.ok(indexes().includes('admissions_pending'), 'the index existed up to migration 010');
  migrate(db);
  assert.ok(!indexes().includes('admissions_pending'));
  for (const sql of [
    "SELECT * FROM admissions WHERE thread_id = ? AND state = 'pending' ORDER BY position",
    "SELECT * FROM admissions WHERE thread_id = ? AND state = 'pending' ORDER BY position LIMIT 1",
  ]) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('thr_x') as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(plan, /USING INDEX admissions_queue/, `${sql}: ${plan}`);
  }
});
