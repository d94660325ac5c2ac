import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import type { ResultOf, ThreadlineClient } from '@threadline/protocol';
import { snapshotToSqlite } from './pg-snapshot.js';
import { TAG_PATTERN, type Ledger, type Received } from './ledger.js';

/** Counts the checks that passed and keeps the ones that did not. */
export class Checker {
  passed = 0;
  readonly failures: string[] = [];

  constructor(private readonly context: () => string) {}

  check(ok: boolean, what: string): void {
    if (ok) this.passed++;
    else this.failures.push(`${this.context()}: ${what}`);
  }
}

/**
 * `crashed`: the file as a SIGKILL left it (a turn may still be in_progress).
 * `recovered`: right after a restart's recovery, before any new work. `final`: after the drain.
 */
export type Phase = 'crashed' | 'recovered' | 'final';

interface AdmissionRow { id: string; thread_id: string; admitted_seq: number; prompt: string; state: string; promoted_seq: number | null; turn_id: string | null }
interface TurnRow { id: string; thread_id: string; status: string; steer_count: number; start_seq: number; superseded_by: string | null; kind: string }

/** Every invariant of issue 5 §2 that the file itself shows, read through a read-only connection. */
/**
 * `options.searchIndex: false` for a snapshot of a Postgres database (pg-snapshot.ts), whose
 * search index is its own (a tsvector) and is not copied.
 */
export function checkDatabase(path: string, ledger: Ledger, c: Checker, phase: Phase, options: { searchIndex?: boolean } = {}): void {
  if (!existsSync(path)) {
    // Killed before the server created the file: fine as long as nothing was acknowledged.
    c.check(ledger.threads.size === 0, 'the database file exists once anything was acknowledged');
    return;
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    c.check(db.pragma('integrity_check', { simple: true }) === 'ok', 'PRAGMA integrity_check is ok');
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'threads'").get()) {
      // Killed before the first migration committed: it rolled back whole.
      c.check(ledger.threads.size === 0 && phase === 'crashed', `the schema exists once anything was acknowledged (phase ${phase})`);
      return;
    }
    const threads = db.prepare('SELECT id, last_seq, running_turn_id FROM threads').all() as { id: string; last_seq: number; running_turn_id: string | null }[];
    const turns = new Map((db.prepare('SELECT * FROM turns').all() as TurnRow[]).map((t) => [t.id, t]));
    const admissions = db.prepare('SELECT * FROM admissions').all() as AdmissionRow[];
    const seqs = db.prepare('SELECT count(*) AS n, coalesce(min(seq), 0) AS lo, coalesce(max(seq), 0) AS hi FROM events WHERE thread_id = ?');
    const eventAt = db.prepare('SELECT kind, payload FROM events WHERE thread_id = ? AND seq = ?');

    for (const thread of threads) {
      const { n, lo, hi } = seqs.get(thread.id) as { n: number; lo: number; hi: number };
      c.check(n === hi && lo === 1 && hi === thread.last_seq, `thread ${thread.id}: seq is 1..${thread.last_seq} without a gap (found ${n} events, ${lo}..${hi})`);
      const inProgress = [...turns.values()].filter((t) => t.thread_id === thread.id && t.status === 'in_progress');
      c.check(inProgress.length <= (phase === 'crashed' ? 1 : 0), `thread ${thread.id}: ${inProgress.length} in_progress turns in phase ${phase}`);
      c.check(
        thread.running_turn_id === (inProgress[0]?.id ?? null),
        `thread ${thread.id}: running_turn_id ${thread.running_turn_id} matches the in_progress turn ${inProgress[0]?.id}`,
      );
    }
    c.check(ledger.threads.size === 0 || threads.length >= ledger.threads.size, 'every acknowledged thread exists');
    for (const id of ledger.threads) c.check(threads.some((t) => t.id === id), `acknowledged thread ${id} exists`);

    const byTag = new Map<number, AdmissionRow[]>();
    const startedBy = new Map<string, AdmissionRow[]>();
    const steersOf = new Map<string, number>();
    for (const a of admissions) {
      for (const [, tag] of a.prompt.matchAll(TAG_PATTERN)) {
        const list = byTag.get(Number(tag)) ?? [];
        list.push(a);
        byTag.set(Number(tag), list);
      }
      if (a.state === 'promoted') {
        const turn = a.turn_id ? turns.get(a.turn_id) : undefined;
        c.check(turn !== undefined && a.promoted_seq !== null, `promoted admission ${a.id} has its turn ${a.turn_id}`);
        if (turn && a.promoted_seq === turn.start_seq) startedBy.set(turn.id, [...(startedBy.get(turn.id) ?? []), a]);
        else if (turn) steersOf.set(turn.id, (steersOf.get(turn.id) ?? 0) + 1);
      }
      const recorded = eventAt.get(a.thread_id, a.admitted_seq) as { kind: string; payload: string } | undefined;
      c.check(
        recorded !== undefined && ['prompt.admitted', 'prompt.promoted'].includes(recorded.kind) && JSON.parse(recorded.payload).admission.id === a.id,
        `admission ${a.id}: the event at admittedSeq ${a.admitted_seq} records it (${recorded?.kind})`,
      );
      if (phase === 'final') c.check(a.state !== 'pending', `after the final drain admission ${a.id} is promoted or cancelled, not ${a.state}`);
    }
    const itemKinds = db.prepare('SELECT kind, status FROM items WHERE turn_id = ?');
    for (const turn of turns.values()) {
      // A fork's copies (start seq below 1) ran in their source thread: checkHistory checks them.
      if (turn.start_seq < 1) continue;
      if (turn.kind === 'compaction') {
        // thread/compact: no admission, no user message, at most one summary — exactly one completed when it completed.
        const items = itemKinds.all(turn.id) as { kind: string; status: string }[];
        const summaries = items.filter((i) => i.kind === 'context_compaction');
        c.check(!startedBy.has(turn.id) && items.every((i) => i.kind !== 'user_message'), `compaction ${turn.id} has no admission and no user message`);
        c.check(summaries.length <= 1, `compaction ${turn.id} has at most one context_compaction item (${summaries.length})`);
        if (turn.status === 'completed') c.check(summaries[0]?.status === 'completed', `completed compaction ${turn.id} has its completed summary`);
        continue;
      }
      c.check(startedBy.get(turn.id)?.length === 1, `turn ${turn.id} was started by exactly one admission (${startedBy.get(turn.id)?.length ?? 0})`);
      c.check((steersOf.get(turn.id) ?? 0) === turn.steer_count, `turn ${turn.id}: steerCount ${turn.steer_count} = its steered admissions ${steersOf.get(turn.id) ?? 0}`);
    }
    // The log reproduces the records: an agent message's detail is its deltas, concatenated.
    const replies = db
      .prepare(
        `SELECT i.id, i.detail, (SELECT group_concat(json_extract(e.payload, '$.text'), '') FROM (SELECT payload FROM events e
           WHERE e.thread_id = i.thread_id AND e.item_id = i.id AND e.kind = 'item.delta' ORDER BY e.seq) e) AS streamed
         FROM items i JOIN turns t ON t.id = i.turn_id WHERE i.kind = 'agent_message' AND i.status != 'in_progress' AND t.start_seq >= 1`,
      )
      .all() as { id: string; detail: string | null; streamed: string | null }[];
    for (const r of replies) c.check((r.detail ?? '') === (r.streamed ?? ''), `item ${r.id}: detail (${(r.detail ?? '').length} chars) is its concatenated deltas (${(r.streamed ?? '').length} chars)`);
    const twice = db
      .prepare("SELECT json_extract(payload, '$.admission.id') AS id, count(*) AS n FROM events WHERE kind = 'prompt.promoted' GROUP BY 1 HAVING n > 1")
      .all() as { id: string; n: number }[];
    c.check(twice.length === 0, `no admission promoted twice (${JSON.stringify(twice)})`);
    for (const [tag, list] of byTag) c.check(list.length === 1, `prompt #t${tag}# admitted ${list.length} times (clientRequestId repeats admit nothing)`);

    // What the clients were told.
    for (const tag of ledger.ackedTags) c.check(byTag.has(tag), `acknowledged prompt #t${tag}# has an admission`);
    // An acknowledged updateQueued is never lost: the prompt is one an update sent (the last to commit).
    for (const a of admissions) {
      const update = ledger.updates.get(a.id);
      if (update?.acked) c.check(update.prompts.has(a.prompt), `admission ${a.id} keeps an acknowledged updateQueued's prompt`);
    }
    for (const id of ledger.ackedTurns) c.check(turns.has(id), `acknowledged turn ${id} exists`);
    const admissionById = new Map(admissions.map((a) => [a.id, a]));
    for (const id of ledger.ackedAdmissions) c.check(admissionById.has(id), `acknowledged admission ${id} exists`);
    for (const id of ledger.cancelled) c.check(admissionById.get(id)?.state === 'cancelled', `admission ${id} acknowledged cancelled is cancelled`);
    for (const id of ledger.interrupted) c.check(turns.get(id)?.status === 'interrupted', `turn ${id} acknowledged interrupted is interrupted`);
    for (const [old, by] of ledger.superseded) c.check(turns.get(old)?.superseded_by === by, `turn ${old} acknowledged superseded by ${by}`);
    if (options.searchIndex !== false) checkSearchIndex(db, c);
    checkHistory(db, ledger, c);
  } finally {
    db.close();
  }
}

/** The events one incarnation's client received are, per thread, one contiguous run of `thread/events`. */
export async function checkReceived(client: ThreadlineClient, received: Received, c: Checker): Promise<void> {
  for (const [threadId, events] of received.byThread) {
    const first = events[0]!.seq;
    c.check(events.every((e, i) => e.seq === first + i), `thread ${threadId}: received seqs are contiguous from ${first}`);
    const log = await eventsOf(client, threadId, first - 1, events.length);
    c.check(isDeepStrictEqual(log, events), `thread ${threadId}: the ${events.length} events received from seq ${first} equal thread/events`);
  }
}

async function eventsOf(client: ThreadlineClient, threadId: string, afterSeq: number, count: number): Promise<ResultOf<'thread/events'>['events']> {
  const out: ResultOf<'thread/events'>['events'] = [];
  while (out.length < count) {
    const { events } = await client.request('thread/events', { threadId, afterSeq: afterSeq + out.length, limit: Math.min(10_000, count - out.length) });
    if (events.length === 0) break;
    out.push(...events);
  }
  return out;
}

/**
 * The search index (migration 006) commits with the writes it mirrors, so at any kill it holds
 * exactly one title per thread and one row per finished user/agent message with text, each with
 * its full-text row.
 */
function checkSearchIndex(db: Database.Database, c: Checker): void {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'search_docs'").get()) return;
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const titles = count('SELECT count(*) AS n FROM search_docs WHERE item_id IS NULL');
  const threads = count('SELECT count(*) AS n FROM threads');
  const titled = count('SELECT count(DISTINCT d.thread_id) AS n FROM search_docs d JOIN threads t ON t.id = d.thread_id WHERE d.item_id IS NULL');
  c.check(titles === threads && titled === threads, `search index: one title per thread (${titles} titles, ${titled} threads titled, ${threads} threads)`);
  const messages = count("SELECT count(*) AS n FROM items WHERE kind IN ('user_message', 'agent_message') AND status != 'in_progress' AND detail IS NOT NULL");
  const indexed = count('SELECT count(*) AS n FROM search_docs d JOIN items i ON i.id = d.item_id');
  const docs = count('SELECT count(*) AS n FROM search_docs WHERE item_id IS NOT NULL');
  c.check(messages === indexed && indexed === docs, `search index: one row per finished message (${messages} messages, ${indexed} indexed, ${docs} rows)`);
  const fts = count('SELECT count(*) AS n FROM search_fts');
  c.check(fts === titles + docs, `search index: a full-text row per entry (${fts} vs ${titles + docs})`);
}

/**
 * Forks and reverts are one transaction each: a fork exists with `thread.forked` at seq 1 and all
 * its copies (as many as an acknowledged fork said, every copy ended), or not at all; a reverted
 * turn names the `thread.reverted` event that reverted it, which lists it.
 */
function checkHistory(db: Database.Database, ledger: Ledger, c: Checker): void {
  const forks = db.prepare('SELECT id FROM threads WHERE forked_from_thread IS NOT NULL').all() as { id: string }[];
  const first = db.prepare('SELECT kind FROM events WHERE thread_id = ? AND seq = 1');
  const copies = db.prepare("SELECT count(*) AS n, sum(status = 'in_progress') AS running FROM turns WHERE thread_id = ? AND start_seq < 1");
  for (const { id } of forks) {
    c.check((first.get(id) as { kind: string } | undefined)?.kind === 'thread.forked', `fork ${id} begins with thread.forked`);
    const { n, running } = copies.get(id) as { n: number; running: number | null };
    c.check((running ?? 0) === 0, `fork ${id}: every copied turn ended`);
    const said = ledger.forks.get(id);
    if (said !== undefined) c.check(n === said, `fork ${id} holds the ${said} turns its answer said it copied (${n})`);
  }
  for (const id of ledger.forks.keys()) c.check(forks.some((f) => f.id === id), `acknowledged fork ${id} exists`);
  const reverted = db.prepare('SELECT id, thread_id, reverted_seq FROM turns WHERE reverted_seq IS NOT NULL').all() as { id: string; thread_id: string; reverted_seq: number }[];
  const at = db.prepare('SELECT kind, payload FROM events WHERE thread_id = ? AND seq = ?');
  for (const t of reverted) {
    const event = at.get(t.thread_id, t.reverted_seq) as { kind: string; payload: string } | undefined;
    const listed = event?.kind === 'thread.reverted' && (JSON.parse(event.payload) as { revertedTurnIds: string[] }).revertedTurnIds.includes(t.id);
    c.check(listed, `reverted turn ${t.id} is listed by the thread.reverted event at seq ${t.reverted_seq}`);
  }
}

/** checkDatabase on what a server's `--db` names: a SQLite file, or a Postgres database (through a snapshot). */
export async function checkStore(db: string, ledger: Ledger, c: Checker, phase: Phase): Promise<void> {
  if (!/^postgres(ql)?:\/\//.test(db)) return checkDatabase(db, ledger, c, phase);
  const snapshot = await snapshotToSqlite(db);
  try {
    checkDatabase(snapshot, ledger, c, phase, { searchIndex: false });
  } finally {
    rmSync(dirname(snapshot), { recursive: true, force: true });
  }
}
