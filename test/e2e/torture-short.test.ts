import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Checker, checkDatabase } from '../torture/invariants.js';
import { Ledger } from '../torture/ledger.js';
import { runTorture } from '../torture/run.js';
import { newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// The short version of `npm run torture` (issue 5 §2): a few SIGKILLs at random instants under
// mixed load, every invariant checked after each restart and after a final drain.
// THREADLINE_TORTURE_SEED replays a run.

for (const durability of ['full', 'normal'] as const) {
  test(`kill -9 torture, short (${durability}): after every restart and a final drain every invariant holds`, sqliteOnly('scripts/torture.ts checks its invariants on the SQLite file'), async (t) => {
    const seed = Number(process.env.THREADLINE_TORTURE_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const report = await runTorture({ seed, kills: 5, durability, loadMs: [100, 500], workers: 3 });
    t.diagnostic(`seed ${seed}: kills ${report.kills}, operations ${report.operations}, invariant checks passed ${report.checksPassed}`);
    assert.deepStrictEqual(report.failures, [], `seed ${seed} (replay: THREADLINE_TORTURE_SEED=${seed})`);
    assert.equal(report.kills, 5);
    assert.ok(report.operations > 0 && report.checksPassed > 0);
  });
}

test('the torture checker catches a seq gap, a lost acknowledged admission, a second in_progress turn, a reply that is not its deltas and a compaction without its summary', sqliteOnly('the checker\'s own test reads SQLite files it builds'), async (t) => {
  const server = await startServer(t);
  const thread = await newThread(server.client);
  const ledger = new Ledger();
  ledger.threads.add(thread.id);
  const { turn: answered } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '#t0# hello there' });
  await server.events.turnCompleted(answered.id);
  const { turn: compaction } = await server.client.request('thread/compact', { threadId: thread.id });
  await server.events.turnCompleted(compaction.id);
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang\n#t1# first' });
  const { queued } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: '#t2# second', delivery: 'queue' });
  ledger.ackedTags.add(1).add(2);
  ledger.ackedTurns.add(turn.id);
  ledger.ackedAdmissions.add(queued!.id);
  await server.kill();

  const clean = new Checker(() => 'clean');
  checkDatabase(server.dbPath, ledger, clean, 'crashed');
  assert.deepStrictEqual(clean.failures, []);

  const dir = mkdtempSync(join(tmpdir(), 'threadline-checker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tampered = join(dir, 'tampered.db');
  const source = new Database(server.dbPath, { readonly: true });
  await source.backup(tampered);
  source.close();
  const db = new Database(tampered);
  db.prepare('DELETE FROM events WHERE thread_id = ? AND seq = 2').run(thread.id);
  db.prepare('DELETE FROM admissions WHERE id = ?').run(queued!.id);
  db.prepare("INSERT INTO turns SELECT 'turn_copy', thread_id, status, input_summary, model, options, created_at, started_at, ended_at, duration_ms, usage, error, steer_count, superseded_by, start_seq + 100, kind, reverted_at, reverted_seq FROM turns WHERE id = ?").run(turn.id);
  db.prepare("UPDATE items SET detail = 'not what was streamed' WHERE kind = 'agent_message'").run();
  db.prepare("UPDATE items SET status = 'failed' WHERE kind = 'context_compaction'").run();
  db.close();
  const dirty = new Checker(() => 'tampered');
  checkDatabase(tampered, ledger, dirty, 'crashed');
  const found = dirty.failures.join('\n');
  assert.match(found, /seq is 1\.\.\d+ without a gap/);
  assert.match(found, /acknowledged admission .* exists/);
  assert.match(found, /acknowledged prompt #t2# has an admission/);
  assert.match(found, /2 in_progress turns/);
  assert.match(found, /turn turn_copy was started by exactly one admission/);
  assert.match(found, /detail \(21 chars\) is its concatenated deltas/);
  assert.match(found, /completed compaction .* has its completed summary/);
});
