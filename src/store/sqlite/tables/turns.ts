import type { Preparer } from '../lazy-statements.js';
import type { Turn, TurnKind, TurnStatus, Usage } from '@threadline/protocol';
import type { CopiedTurn, NewTurn, PlacedTurn, StoredTurn, TurnEnd, TurnOptions, TurnReads, TurnWrites } from '../../port.js';
import type { Sync } from '../settled.js';
import { columnIndex, opt, parseJson, toJson, type ValuesOf } from './rows.js';

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
}

/** The columns the turn reads select (raw rows), in order. */
const TURN_COLUMNS = [
  'id',
  'thread_id',
  'status',
  'input_summary',
  'model',
  'options',
  'created_at',
  'started_at',
  'ended_at',
  'duration_ms',
  'usage',
  'error',
  'steer_count',
  'superseded_by',
  'start_seq',
  'kind',
  'reverted_at',
] as const satisfies readonly (keyof TurnRow)[];
const at = columnIndex(TURN_COLUMNS);
type TurnValues = ValuesOf<TurnRow, typeof TURN_COLUMNS>;
const SELECT = `SELECT ${TURN_COLUMNS.join(', ')} FROM turns`;

export function turnTable(db: Preparer): Sync<TurnReads & TurnWrites> {
  const insert = db.prepare(`INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at, start_seq, kind)
    VALUES (@id, @threadId, 'in_progress', @inputSummary, @model, @options, @now, @now, @startSeq, @kind)`);
  const insertCopy = db.prepare(`INSERT INTO turns (id, thread_id, status, input_summary, model, options, created_at, started_at,
      ended_at, duration_ms, usage, error, steer_count, start_seq, kind, reverted_at, superseded_by)
    VALUES (@id, @threadId, @status, @inputSummary, @model, @options, @createdAt, @startedAt,
      @endedAt, @durationMs, @usage, @error, @steerCount, @startSeq, @kind, @revertedAt, @supersededBy)`);
  const pageAsc = db.prepare<[string, number, number], TurnValues>(`${SELECT} WHERE thread_id = ? AND start_seq > ? ORDER BY start_seq LIMIT ?`).raw();
  const pageDesc = db.prepare<[string, number, number], TurnValues>(`${SELECT} WHERE thread_id = ? AND start_seq < ? ORDER BY start_seq DESC LIMIT ?`).raw();
  const markReverted = db.prepare<[string, number, string, number], { id: string; start_seq: number }>(`UPDATE turns SET reverted_at = ?, reverted_seq = ?
    WHERE thread_id = ? AND start_seq >= ? AND reverted_at IS NULL RETURNING id, start_seq`);
  const clearReverted = db.prepare('UPDATE turns SET reverted_at = NULL, reverted_seq = NULL WHERE thread_id = ? AND reverted_seq = ?');
  const lastRevertSeq = db.prepare<[string], { seq: number | null }>('SELECT max(reverted_seq) AS seq FROM turns WHERE thread_id = ?');
  const revertedBy = db.prepare<[string, number], { id: string }>('SELECT id FROM turns WHERE thread_id = ? AND reverted_seq = ? ORDER BY start_seq');
  const startedAfter = db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM turns WHERE thread_id = ? AND start_seq > ? LIMIT 1');
  const find = db.prepare<[string], TurnValues>(`${SELECT} WHERE id = ?`).raw();
  const startSeq = db.prepare<[string], { start_seq: number }>('SELECT start_seq FROM turns WHERE id = ?');
  const itemIds = db.prepare<[string], string>('SELECT id FROM items WHERE turn_id = ? ORDER BY position').pluck();
  const byThread = db.prepare<[string], TurnValues>(`${SELECT} WHERE thread_id = ? ORDER BY start_seq`).raw();
  const lastLive = db.prepare<[string], TurnValues>(`${SELECT} WHERE thread_id = ? AND superseded_by IS NULL ORDER BY start_seq DESC LIMIT 1`).raw();
  const previous = db.prepare<[string, string], { id: string }>(
    'SELECT id FROM turns WHERE thread_id = ? AND id != ? ORDER BY start_seq DESC LIMIT 1',
  );
  const finish = db.prepare(`UPDATE turns SET status = @status, ended_at = @endedAt, duration_ms = @durationMs,
    usage = @usage, error = @error WHERE id = @id AND status = 'in_progress'`);
  const supersede = db.prepare('UPDATE turns SET superseded_by = ? WHERE id = ?');
  const steer = db.prepare('UPDATE turns SET steer_count = steer_count + 1 WHERE id = ?');
  const inProgress = db.prepare<[], TurnValues>(`${SELECT} WHERE status = 'in_progress'`).raw();
  const anyInProgress = db.prepare<[], { one: number }>("SELECT 1 AS one FROM turns WHERE status = 'in_progress' LIMIT 1");
  const usageRows = db.prepare<[], { usage: string | null }>("SELECT usage FROM turns WHERE status = 'completed'");
  const usageRowsOfThread = db.prepare<[string], { usage: string | null }>(
    "SELECT usage FROM turns WHERE thread_id = ? AND status = 'completed'",
  );

  const toTurn = (r: TurnValues): Turn => ({
    id: r[at.id],
    threadId: r[at.thread_id],
    status: r[at.status],
    inputSummary: r[at.input_summary],
    createdAt: r[at.created_at],
    startedAt: opt(r[at.started_at]),
    endedAt: opt(r[at.ended_at]),
    durationMs: opt(r[at.duration_ms]),
    usage: parseJson<Usage>(r[at.usage]),
    error: opt(r[at.error]),
    itemIds: itemIds.all(r[at.id]),
    steerCount: r[at.steer_count],
    model: opt(r[at.model]),
    supersededBy: opt(r[at.superseded_by]),
    kind: r[at.kind],
    revertedAt: opt(r[at.reverted_at]),
  });
  const toStored = (r: TurnValues): StoredTurn => ({ turn: toTurn(r), options: JSON.parse(r[at.options]) as TurnOptions });

  return {
    insert: (t: NewTurn) => {
      // Every parameter named, not `{ ...t, more }`: V8 copies such a spread on its slow path.
      insert.run({ id: t.id, threadId: t.threadId, inputSummary: t.inputSummary, model: t.model ?? null, options: JSON.stringify(t.options),
        now: t.now, startSeq: t.startSeq, kind: t.kind ?? 'prompt' });
    },
    insertCopy: (t: CopiedTurn) => {
      insertCopy.run({
        ...t,
        model: t.model ?? null,
        options: JSON.stringify(t.options),
        startedAt: t.startedAt ?? null,
        endedAt: t.endedAt ?? null,
        durationMs: t.durationMs ?? null,
        usage: toJson(t.usage),
        error: t.error ?? null,
        // reverted_seq stays null: no `thread.reverted` of this thread hid it, so unrevert never restores it.
        revertedAt: t.revertedAt ?? null,
        supersededBy: t.supersededBy ?? null,
      });
    },
    page: (threadId: string, order: 'asc' | 'desc', limit: number, afterStartSeq?: number): PlacedTurn[] => {
      const rows = order === 'asc' ? pageAsc.all(threadId, afterStartSeq ?? Number.MIN_SAFE_INTEGER, limit) : pageDesc.all(threadId, afterStartSeq ?? Number.MAX_SAFE_INTEGER, limit);
      return rows.map((r) => ({ turn: toTurn(r), startSeq: r[at.start_seq] }));
    },
    lastRevert: (threadId: string) => {
      const seq = lastRevertSeq.get(threadId)?.seq;
      return seq == null ? undefined : { seq, turnIds: revertedBy.all(threadId, seq).map((r) => r.id) };
    },
    startedAfter: (threadId: string, seq: number) => startedAfter.get(threadId, seq) !== undefined,
    markReverted: (threadId: string, fromStartSeq: number, at: string, seq: number): string[] =>
      markReverted
        .all(at, seq, threadId, fromStartSeq)
        .sort((a, b) => a.start_seq - b.start_seq)
        .map((r) => r.id),
    clearReverted: (threadId: string, seq: number) => {
      clearReverted.run(threadId, seq);
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
      finish.run({ id, status: end.status, endedAt: end.endedAt, durationMs: end.durationMs, usage: toJson(end.usage), error: end.error ?? null })
        .changes === 1,
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
