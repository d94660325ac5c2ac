import type Database from 'better-sqlite3';
import type { Turn, TurnStatus, Usage } from '@threadline/protocol';
import type { NewTurn, StoredTurn, TurnEnd, TurnOptions, TurnReads, TurnWrites } from '../../port.js';
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
}

export function turnTable(db: Database.Database): TurnReads & TurnWrites {
  const insert = db.prepare(`INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at, start_seq)
    VALUES (@id, @threadId, 'in_progress', @inputSummary, @model, @options, @now, @now, @startSeq)`);
  const find = db.prepare<[string], TurnRow>('SELECT * FROM turns WHERE id = ?');
  const startSeq = db.prepare<[string], { start_seq: number }>('SELECT start_seq FROM turns WHERE id = ?');
  const itemIds = db.prepare<[string], { id: string }>('SELECT id FROM items WHERE turn_id = ? ORDER BY position');
  const byThread = db.prepare<[string], TurnRow>('SELECT * FROM turns WHERE thread_id = ? ORDER BY start_seq');
  const lastLive = db.prepare<[string], TurnRow>(
    'SELECT * FROM turns WHERE thread_id = ? AND superseded_by IS NULL ORDER BY start_seq DESC LIMIT 1',
  );
  const previous = db.prepare<[string, string], { id: string }>(
    'SELECT id FROM turns WHERE thread_id = ? AND id != ? ORDER BY start_seq DESC LIMIT 1',
  );
  const finish = db.prepare(`UPDATE turns SET status = @status, ended_at = @endedAt, duration_ms = @durationMs,
    usage = @usage, error = @error WHERE id = @id AND status = 'in_progress'`);
  const supersede = db.prepare('UPDATE turns SET superseded_by = ? WHERE id = ?');
  const steer = db.prepare('UPDATE turns SET steer_count = steer_count + 1 WHERE id = ?');
  const inProgress = db.prepare<[], TurnRow>("SELECT * FROM turns WHERE status = 'in_progress'");
  const anyInProgress = db.prepare<[], { one: number }>("SELECT 1 AS one FROM turns WHERE status = 'in_progress' LIMIT 1");
  const usageRows = db.prepare<[], { usage: string | null }>("SELECT usage FROM turns WHERE status = 'completed'");
  const usageRowsOfThread = db.prepare<[string], { usage: string | null }>(
    "SELECT usage FROM turns WHERE thread_id = ? AND status = 'completed'",
  );

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
    itemIds: itemIds.all(row.id).map((r) => r.id),
    steerCount: row.steer_count,
    model: opt(row.model),
    supersededBy: opt(row.superseded_by),
  });
  const toStored = (row: TurnRow): StoredTurn => ({ turn: toTurn(row), options: JSON.parse(row.options) as TurnOptions });

  return {
    insert: (t: NewTurn) => {
      insert.run({ ...t, model: t.model ?? null, options: JSON.stringify(t.options) });
    },
    find: (id: string): Turn | undefined => {
      const row = find.get(id);
      return row && toTurn(row);
    },
    findStored: (id: string): StoredTurn | undefined => {
      const row = find.get(id);
      return row && toStored(row);
    },
    startSeq: (id: string): number => startSeq.get(id)?.start_seq ?? 0,
    listOfThread: (threadId: string): Turn[] => byThread.all(threadId).map(toTurn),
    findLastLive: (threadId: string): Turn | undefined => {
      const row = lastLive.get(threadId);
      return row && toTurn(row);
    },
    findPreviousId: (threadId: string, turnId: string): string | undefined => previous.get(threadId, turnId)?.id,
    finish: (id: string, end: TurnEnd): boolean =>
      finish.run({ id, ...end, usage: toJson(end.usage), error: end.error ?? null }).changes === 1,
    markSuperseded: (id: string, by: string) => {
      supersede.run(by, id);
    },
    countSteer: (id: string) => {
      steer.run(id);
    },
    listInProgress: (): Turn[] => inProgress.all().map(toTurn),
    /** One index probe; no records built. */
    hasInProgress: (): boolean => anyInProgress.get() !== undefined,
    listCompletedUsage: (threadId?: string): Usage[] =>
      (threadId ? usageRowsOfThread.all(threadId) : usageRows.all()).map(
        (r) => parseJson<Usage>(r.usage) ?? { inputTokens: 0, outputTokens: 0 },
      ),
  };
}
