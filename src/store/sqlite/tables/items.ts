import type Database from 'better-sqlite3';
import type { Item, ItemKind, ItemStatus } from '@threadline/protocol';
import type { HistoryRow, ItemEnd, ItemReads, ItemWrites, NewItem } from '../../port.js';
import { opt, parseJson, toJson } from './rows.js';

interface ItemRow {
  id: string;
  turn_id: string;
  thread_id: string;
  position: number;
  kind: ItemKind;
  status: ItemStatus;
  summary: string;
  detail: string | null;
  metadata: string | null;
  started_at: string | null;
  ended_at: string | null;
}

export function itemTable(db: Database.Database): ItemReads & ItemWrites {
  const insert = db.prepare(`INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail, metadata, started_at, ended_at)
    VALUES (@id, @turnId, @threadId,
      (SELECT coalesce(max(position), 0) + 1 FROM items WHERE turn_id = @turnId),
      @kind, @status, @summary, @detail, @metadata, @now, @endedAt)`);
  const find = db.prepare<[string], ItemRow>('SELECT * FROM items WHERE id = ?');
  const byTurn = db.prepare<[string], ItemRow>('SELECT * FROM items WHERE turn_id = ? ORDER BY position');
  const finish = db.prepare(`UPDATE items SET status = @status, detail = @detail, summary = @summary,
    metadata = coalesce(@metadata, metadata), ended_at = @endedAt WHERE id = @id`);
  const openOfTurn = db.prepare<[string], ItemRow>(
    "SELECT * FROM items WHERE turn_id = ? AND status = 'in_progress' ORDER BY position",
  );
  const history = db.prepare<[string], ItemRow>(`SELECT i.* FROM items i JOIN turns t ON t.id = i.turn_id
    WHERE t.thread_id = ? AND t.superseded_by IS NULL ORDER BY t.start_seq, i.position`);

  const toItem = (row: ItemRow): Item => ({
    id: row.id,
    turnId: row.turn_id,
    kind: row.kind,
    status: row.status,
    summary: row.summary,
    detail: opt(row.detail),
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    startedAt: opt(row.started_at),
    endedAt: opt(row.ended_at),
  });

  return {
    insert: (i: NewItem): Item => {
      insert.run({
        ...i,
        detail: i.detail ?? null,
        metadata: toJson(i.metadata),
        endedAt: i.status === 'in_progress' ? null : i.now,
      });
      return toItem(find.get(i.id)!);
    },
    find: (id: string): Item | undefined => {
      const row = find.get(id);
      return row && toItem(row);
    },
    listOfTurn: (turnId: string): Item[] => byTurn.all(turnId).map(toItem),
    listOpenOfTurn: (turnId: string): Item[] => openOfTurn.all(turnId).map(toItem),
    finish: (id: string, end: ItemEnd): Item => {
      finish.run({ id, ...end, detail: end.detail ?? null, metadata: toJson(end.metadata) });
      return toItem(find.get(id)!);
    },
    listHistory: (threadId: string): HistoryRow[] =>
      history.all(threadId).map((row) => ({
        turnId: row.turn_id,
        kind: row.kind,
        status: row.status,
        detail: row.detail ?? '',
        metadata: parseJson<Record<string, unknown>>(row.metadata),
      })),
  };
}
