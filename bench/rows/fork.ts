import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';


/**
 * Row 12: `thread/fork` of a 1,000-turn thread (2,000 items; quick: 250 turns), answered, median.
 * Baseline: the same rows copied by SQLite itself in the bench process, on a copy of the same
 * database with the server's pragmas (WAL, synchronous FULL): one IMMEDIATE transaction of
 * INSERT … SELECT for the thread row, its turns and items under new ids, and the fork's one
 * event (a fork copies no events but writes `thread.forked`), and the copy's search-index entries
 * (title and finished messages, set-based as migration 006 fills them; the server writes them
 * row by row, tables/search-index.ts). Forks and copies alternate, so drift hits both alike.
 */
export async function measureFork(ctx: BenchContext): Promise<Row[]> {
  const turns = ctx.quick ? 250 : 1_000;
  const runs = ctx.quick ? 3 : 9;
  const db = dbPath(ctx, 'fork');
  const rawDb = dbPath(ctx, 'fork-raw');
  const generated = generateHistoryDb(db, { threads: 1, turnsPerThread: turns, deltasPerTurn: 3 });
  copyFileSync(db, rawDb);
  const threadId = generated.threadIds[0]!;
  ctx.log(`row 12: wrote one thread of ${generated.turns} turns in ${Math.round(generated.ms)} ms`);

  const raw = rawCopier(rawDb);
  const server = await startServer({ db, profile: profileName(ctx, 'row12-fork') });
  const forkOnce = async () => {
    const start = performance.now();
    const { copiedTurns } = await unlessCrashed(server, 'threadline', server.client.request('thread/fork', { threadId }));
    if (copiedTurns !== turns) throw new Error(`thread/fork copied ${copiedTurns} turns, expected ${turns}`);
    return performance.now() - start;
  };
  const copyOnce = (n: number) => {
    const start = performance.now();
    const copied = raw.copy(threadId, n);
    if (copied !== turns) throw new Error(`the raw copy wrote ${copied} turns, expected ${turns}`);
    return performance.now() - start;
  };

  await forkOnce(); // warm-up: statements prepared, pages cached (not counted)
  copyOnce(0);
  const forks: number[] = [];
  const copies: number[] = [];
  for (let i = 1; i <= runs; i++) {
    forks.push(await forkOnce());
    copies.push(copyOnce(i));
  }
  await server.close();
  raw.close();
  return [row(`12 thread/fork of a ${turns.toLocaleString('en-US')}-turn thread${ctx.quick ? ' (quick)' : ''} (median of ${runs})`, median(forks), 'ms', median(copies), { atMost: 3 })];
}

/** The raw copy: what a fork writes, as set-based SQL (new ids are the old ones + `.cN`). */
function rawCopier(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const thread = db.prepare(`INSERT INTO threads (id, title, archived, model, mode, cwd, system_prompt, auto_approve, trust_mode, metadata,
      last_seq, created_at, updated_at, forked_from_thread, preview)
    SELECT id || @suffix, title, 0, model, mode, cwd, system_prompt, auto_approve, trust_mode, metadata, 1, @now, @now, id, preview
    FROM threads WHERE id = @threadId`);
  const turns = db.prepare(`INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at, ended_at,
      duration_ms, usage, error, steer_count, start_seq, kind)
    SELECT id || @suffix, thread_id || @suffix, status, input_summary, model, options, created_at, started_at, ended_at,
      duration_ms, usage, error, steer_count, start_seq - @base, kind
    FROM turns WHERE thread_id = @threadId AND reverted_at IS NULL AND superseded_by IS NULL ORDER BY start_seq`);
  const items = db.prepare(`INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail, metadata, started_at, ended_at)
    SELECT i.id || @suffix, i.turn_id || @suffix, i.thread_id || @suffix, i.position, i.kind, i.status, i.summary, i.detail, i.metadata,
      i.started_at, i.ended_at
    FROM turns t JOIN items i ON i.turn_id = t.id
    WHERE t.thread_id = @threadId AND t.reverted_at IS NULL AND t.superseded_by IS NULL ORDER BY t.start_seq, i.position`);
  const event = db.prepare(`INSERT INTO events (thread_id, seq, kind, payload, time)
    SELECT id, 1, 'thread.forked', json_object('thread', json_object('id', id, 'title', title), 'source', json_object('threadId', forked_from_thread)), @now
    FROM threads WHERE id = @threadId || @suffix`);
  const titleDoc = db.prepare('INSERT INTO search_docs (thread_id) VALUES (@threadId || @suffix)');
  const messageDocs = db.prepare(`INSERT INTO search_docs (thread_id, turn_id, item_id)
    SELECT thread_id, turn_id, id FROM items WHERE thread_id = @threadId || @suffix
      AND kind IN ('user_message', 'agent_message') AND status != 'in_progress' AND detail IS NOT NULL ORDER BY rowid`);
  const texts = db.prepare(`INSERT INTO search_fts (rowid, body)
    SELECT d.id, coalesce(i.detail, t.title) FROM search_docs d JOIN threads t ON t.id = d.thread_id LEFT JOIN items i ON i.id = d.item_id
    WHERE d.thread_id = @threadId || @suffix`);
  const maxSeq = db.prepare<[string], { base: number }>('SELECT coalesce(max(start_seq), 0) + 1 AS base FROM turns WHERE thread_id = ?');
  const copy = db.transaction((threadId: string, n: number) => {
    const params = { threadId, suffix: `.c${n}`, now: new Date().toISOString(), base: maxSeq.get(threadId)!.base };
    thread.run(params);
    const copied = turns.run(params).changes;
    items.run(params);
    event.run(params);
    titleDoc.run(params);
    messageDocs.run(params);
    texts.run(params);
    return copied;
  });
  return { copy: (threadId: string, n: number): number => copy.immediate(threadId, n), close: () => db.close() };
}
