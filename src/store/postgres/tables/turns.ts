import type { Turn, TurnKind, TurnStatus, Usage } from '@threadline/protocol';
import type { CopiedTurn, NewTurn, PlacedTurn, StoredTurn, TurnEnd, TurnOptions, TurnReads, TurnWrites } from '../../port.js';
import type { Ctx } from '../db.js';
import { opt, parseJson, toJson } from './rows.js';

interface TurnRow {
  id: string;
  thread_id: string;
  status: TurnStatus;
  input_summary: string;
  model: string | null;
  options: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  usage: string | null;
  error: string | null;
  steer_count: number;
  superseded_by: string | null;
  start_seq: number;
  kind: TurnKind;
  reverted_at: string | null;
  reverted_seq: number | null;
  /** The turn's item ids in order, gathered by the same statement (one round trip per read). */
  item_ids: string[];
}

const SELECT = `SELECT u.*, ARRAY(SELECT i.id FROM items i WHERE i.turn_id = u.id ORDER BY i.position) AS item_ids FROM turns u`;

export function turnTable({ sql, locks }: Ctx): TurnReads & TurnWrites {
  const toTurn = (row: TurnRow): Turn => ({
    id: row.id,
    threadId: row.thread_id,
    status: row.status,
    inputSummary: row.input_summary,
    createdAt: row.created_at,
    startedAt: opt(row.started_at),
    endedAt: opt(row.ended_at),
    durationMs: opt(row.duration_ms),
    usage: parseJson<Usage>(row.usage),
    error: opt(row.error),
    itemIds: row.item_ids,
    steerCount: row.steer_count,
    model: opt(row.model),
    supersededBy: opt(row.superseded_by),
    kind: row.kind,
    revertedAt: opt(row.reverted_at),
  });
  const one = async (where: string, values: unknown[]) => (await sql.rows<TurnRow>(`${SELECT} WHERE ${where}`, values))[0];
  const many = async (where: string, values: unknown[]) => (await sql.rows<TurnRow>(`${SELECT} WHERE ${where}`, values)).map(toTurn);

  return {
    insert: async (t: NewTurn) => {
      await locks.thread(t.threadId);
      sql.send(
        `INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at, start_seq, kind)
        VALUES ($1, $2, 'in_progress', $3, $4, $5, $6, $6, $7, $8)`,
        [t.id, t.threadId, t.inputSummary, t.model ?? null, JSON.stringify(t.options), t.now, t.startSeq, t.kind ?? 'prompt'],
      );
    },
    insertCopy: async (t: CopiedTurn) => {
      await locks.thread(t.threadId);
      // reverted_seq stays null: no `thread.reverted` of this thread hid it, so unrevert never restores it.
      sql.send(
        `INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at,
          ended_at, duration_ms, usage, error, steer_count, start_seq, kind, reverted_at, superseded_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [t.id, t.threadId, t.status, t.inputSummary, t.model ?? null, JSON.stringify(t.options), t.createdAt, t.startedAt ?? null,
          t.endedAt ?? null, t.durationMs ?? null, toJson(t.usage), t.error ?? null, t.steerCount, t.startSeq, t.kind,
          t.revertedAt ?? null, t.supersededBy ?? null],
      );
    },
    page: async (threadId: string, order: 'asc' | 'desc', limit: number, afterStartSeq?: number): Promise<PlacedTurn[]> => {
      await locks.thread(threadId);
      const rows = await sql.rows<TurnRow>(
        order === 'asc'
          ? `${SELECT} WHERE u.thread_id = $1 AND u.start_seq > $2 ORDER BY u.start_seq LIMIT $3`
          : `${SELECT} WHERE u.thread_id = $1 AND u.start_seq < $2 ORDER BY u.start_seq DESC LIMIT $3`,
        [threadId, afterStartSeq ?? (order === 'asc' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER), limit],
      );
      return rows.map((row) => ({ turn: toTurn(row), startSeq: row.start_seq }));
    },
    lastRevert: async (threadId: string) => {
      await locks.thread(threadId);
      const [last] = await sql.rows<{ seq: number | null }>('SELECT max(reverted_seq) AS seq FROM turns WHERE thread_id = $1', [threadId]);
      const seq = last?.seq;
      if (seq == null) return undefined;
      const ids = await sql.rows<{ id: string }>('SELECT id FROM turns WHERE thread_id = $1 AND reverted_seq = $2 ORDER BY start_seq', [threadId, seq]);
      return { seq, turnIds: ids.map((r) => r.id) };
    },
    startedAfter: async (threadId: string, seq: number) => {
      await locks.thread(threadId);
      return (await sql.rows('SELECT 1 FROM turns WHERE thread_id = $1 AND start_seq > $2 LIMIT 1', [threadId, seq])).length > 0;
    },
    markReverted: async (threadId: string, fromStartSeq: number, at: string, seq: number): Promise<string[]> => {
      await locks.thread(threadId);
      const rows = await sql.rows<{ id: string; start_seq: number }>(
        `UPDATE turns SET reverted_at = $1, reverted_seq = $2 WHERE thread_id = $3 AND start_seq >= $4 AND reverted_at IS NULL
        RETURNING id, start_seq`,
        [at, seq, threadId, fromStartSeq],
      );
      return rows.sort((a, b) => a.start_seq - b.start_seq).map((r) => r.id);
    },
    clearReverted: async (threadId: string, seq: number) => {
      await locks.thread(threadId);
      sql.send('UPDATE turns SET reverted_at = NULL, reverted_seq = NULL WHERE thread_id = $1 AND reverted_seq = $2', [threadId, seq]);
    },
    find: async (id: string): Promise<Turn | undefined> => {
      const row = await one('u.id = $1', [id]);
      return row && toTurn(row);
    },
    findStored: async (id: string): Promise<StoredTurn | undefined> => {
      const row = await one('u.id = $1', [id]);
      return row && { turn: toTurn(row), options: JSON.parse(row.options) as TurnOptions };
    },
    startSeq: async (id: string): Promise<number> =>
      (await sql.rows<{ start_seq: number }>('SELECT start_seq FROM turns WHERE id = $1', [id]))[0]?.start_seq ?? 0,
    listOfThread: async (threadId: string): Promise<Turn[]> => {
      await locks.thread(threadId);
      return many('u.thread_id = $1 ORDER BY u.start_seq', [threadId]);
    },
    findLastLive: async (threadId: string): Promise<Turn | undefined> => {
      await locks.thread(threadId);
      const row = await one('u.thread_id = $1 AND u.superseded_by IS NULL ORDER BY u.start_seq DESC LIMIT 1', [threadId]);
      return row && toTurn(row);
    },
    findPreviousId: async (threadId: string, turnId: string): Promise<string | undefined> => {
      await locks.thread(threadId);
      const [row] = await sql.rows<{ id: string }>('SELECT id FROM turns WHERE thread_id = $1 AND id <> $2 ORDER BY start_seq DESC LIMIT 1', [threadId, turnId]);
      return row?.id;
    },
    finish: async (id: string, end: TurnEnd): Promise<boolean> => {
      await locks.threadOf('turns', id);
      const changed = await sql.run(
        `UPDATE turns SET status = $2, ended_at = $3, duration_ms = $4, usage = $5, error = $6 WHERE id = $1 AND status = 'in_progress'`,
        [id, end.status, end.endedAt, end.durationMs, toJson(end.usage), end.error ?? null],
      );
      return changed === 1;
    },
    markSuperseded: async (id: string, by: string) => {
      await locks.threadOf('turns', id);
      sql.send('UPDATE turns SET superseded_by = $2 WHERE id = $1', [id, by]);
    },
    countSteer: async (id: string) => {
      await locks.threadOf('turns', id);
      sql.send('UPDATE turns SET steer_count = steer_count + 1 WHERE id = $1', [id]);
    },
    listInProgress: async (): Promise<Turn[]> => many("u.status = 'in_progress'", []),
    hasInProgress: async (): Promise<boolean> => (await sql.rows("SELECT 1 FROM turns WHERE status = 'in_progress' LIMIT 1")).length > 0,
    listCompletedUsage: async (threadId?: string): Promise<Usage[]> => {
      const rows = threadId
        ? await sql.rows<{ usage: string | null }>("SELECT usage FROM turns WHERE thread_id = $1 AND status = 'completed'", [threadId])
        : await sql.rows<{ usage: string | null }>("SELECT usage FROM turns WHERE status = 'completed'");
      return rows.map((r) => parseJson<Usage>(r.usage) ?? { inputTokens: 0, outputTokens: 0 });
    },
  };
}
