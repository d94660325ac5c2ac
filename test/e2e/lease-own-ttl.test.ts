import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ThreadBusyError, ThreadLeasedError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// Issue 10 §7b: each owner is judged by its own --lease-ttl. A server started with a tiny ttl
// used to forget every owner silent for 100 × *its* ttl (100 ms here) — a live, idle server
// among them — and the forgotten owner's next turn, leased to an owner with no row, counted as
// a dead process's turn at once.

const ownerIds = (dbPath: string): string[] => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM owners ORDER BY started_at').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
};

test('a server with a tiny --lease-ttl neither forgets a live idle owner nor takes the turn it then runs', sqliteOnly('reads and deletes owner rows in the SQLite file with better-sqlite3'), async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '60'] });
  const [ownerId] = ownerIds(owner.dbPath);
  const thread = await newThread(owner.client);
  // The owner's heartbeat (every 20 s) is now older than 100 × 1 ms: stale by the tiny ttl's rule.
  await sleep(200);
  const tiny = await startServer(t, { dbPath: owner.dbPath, args: ['--lease-ttl', '0.001'] });
  assert.ok(ownerIds(owner.dbPath).includes(ownerId!), 'the live owner keeps its row');
  const { turn } = await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const leased = await tiny.client.request('thread/drain', { threadId: thread.id }).then(
    () => assert.fail('drain took over a live owner\'s turn'),
    (e: unknown) => e,
  );
  assert.ok(leased instanceof ThreadLeasedError, String(leased));
  assert.equal(leased.data.ownerPid, owner.spawned.process.pid);
  await assert.rejects(tiny.client.request('thread/startTurn', { threadId: thread.id, prompt: 'mine now' }), ThreadBusyError);
  const { turn: seen } = await tiny.client.request('turn/get', { turnId: turn.id });
  assert.equal(seen.status, 'in_progress');
  const { turn: stopped } = await owner.client.request('thread/interrupt', { threadId: thread.id });
  assert.deepStrictEqual([stopped!.status, stopped!.error], ['interrupted', undefined]);
});

test('an owner whose row was removed while it was idle records it again in the transaction that begins its next turn', sqliteOnly('reads and deletes owner rows in the SQLite file with better-sqlite3'), async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '60'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const thread = await newThread(owner.client);
  const db = new Database(owner.dbPath);
  t.after(() => db.close());
  assert.equal(db.prepare('DELETE FROM owners WHERE pid = ?').run(owner.spawned.process.pid).changes, 1);
  const { turn } = await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const leased = await other.client.request('thread/drain', { threadId: thread.id }).then(() => undefined, (e: unknown) => e);
  assert.ok(leased instanceof ThreadLeasedError, `expected -32040, got ${String(leased)}`);
  assert.equal(leased.data.ownerPid, owner.spawned.process.pid);
  assert.equal((await other.client.request('turn/get', { turnId: turn.id })).turn.status, 'in_progress');
});

test('start-up forgets an idle owner row after 100 × the ttl that owner recorded (a row from before migration 004: at least the default ttl)', sqliteOnly('reads and deletes owner rows in the SQLite file with better-sqlite3'), async (t) => {
  const first = await startServer(t);
  await first.kill(); // leaves a migrated file and its own row (holding no lease) behind
  const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
  const db = new Database(first.dbPath);
  t.after(() => db.close());
  db.prepare('DELETE FROM owners').run();
  const insert = db.prepare(`INSERT INTO owners (id, pid, hostname, process_key, pid_namespace, lease_ttl_ms, started_at, heartbeat_at)
    VALUES (?, 999999, 'elsewhere', 'k:1', NULL, ?, ?, ?)`);
  insert.run('ttl-1s-silent-200s', 1000, ago(300), ago(200));
  insert.run('ttl-60s-silent-200s', 60_000, ago(300), ago(200));
  insert.run('no-ttl-silent-200s', null, ago(300), ago(200));
  insert.run('no-ttl-silent-2000s', null, ago(3000), ago(2000));
  const tiny = await startServer(t, { dbPath: first.dbPath, args: ['--lease-ttl', '0.001'] });
  const left = db.prepare('SELECT id FROM owners WHERE pid != ? ORDER BY id').all(tiny.spawned.process.pid) as { id: string }[];
  assert.deepStrictEqual(left.map((r) => r.id), ['no-ttl-silent-200s', 'ttl-60s-silent-200s']);
});
