import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ThreadBusyError, ThreadLeasedError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

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

test('a server with a tiny --lease-ttl neither forgets a live idle owner nor takes the turn it then runs', async (t) => {
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
