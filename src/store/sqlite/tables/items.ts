import type { Preparer } from '../lazy-statements.js';
import type { Item, ItemKind, ItemStatus, TurnKind, TurnStatus } from '@threadline/protocol';
import type { CopiedItem, HistoryRow, ItemEnd, ItemReads, ItemWrites, NewItem, PlacedItem } from '../../port.js';
import type { Sync } from '../settled.js';
import { opt, parseJson, toJson } from './rows.js';
import { searchIndex } from './search-index.js';

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

/** Characters of a thread's `preview`. */
const PREVIEW_CHARS = 140;

export function itemTable(db: Preparer): Sync<ItemReads & ItemWrites> {
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
  const history = db.prepare<[string], ItemRow & { turn_kind: TurnKind; turn_status: TurnStatus; superseded: number; reverted: number }>(
    `SELECT i.*, t.kind AS turn_kind, t.status AS turn_status, t.superseded_by IS NOT NULL AS superseded, t.reverted_at IS NOT NULL AS reverted
     FROM items i JOIN turns t ON t.id = i.turn_id WHERE t.thread_id = ? ORDER BY t.start_seq, i.position`,
  );
  const page = db.prepare<[string, number, number], ItemRow>('SELECT * FROM items WHERE turn_id = ? AND position > ? ORDER BY position LIMIT ?');
  const insertCopy = db.prepare(`INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail, metadata, started_at, ended_at)
    VALUES (@id, @turnId, @threadId, (SELECT coalesce(max(position), 0) + 1 FROM items WHERE turn_id = @turnId),
      @kind, @status, @summary, @detail, @metadata, @startedAt, @endedAt)`);
  const search = searchIndex(db);
  const setPreview = db.prepare('UPDATE threads SET preview = ? WHERE id = ?');
  /** A user or agent message written with its text becomes its thread's preview (140 characters). */
  const keepPreview = (row: ItemRow) => {
    if ((row.kind === 'user_message' || row.kind === 'agent_message') && row.status !== 'in_progress' && row.detail) {
      setPreview.run(Array.from(row.detail.slice(0, 2 * PREVIEW_CHARS)).slice(0, PREVIEW_CHARS).join(''), row.thread_id);
    }
  };

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
      // Every parameter named, not `{ ...i, more }`: V8 copies such a spread on its slow path.
      insert.run({
        id: i.id,
        turnId: i.turnId,
        threadId: i.threadId,
        kind: i.kind,
        status: i.status,
        summary: i.summary,
        detail: i.detail ?? null,
        metadata: toJson(i.metadata),
        now: i.now,
        endedAt: i.status === 'in_progress' ? null : i.now,
      });
      const row = find.get(i.id)!;
      search.addItem(row);
      return toItem(row);
    },
    find: (id: string): Item | undefined => {
      const row = find.get(id);
      return row && toItem(row);
    },
    listOfTurn: (turnId: string): Item[] => byTurn.all(turnId).map(toItem),
    listOpenOfTurn: (turnId: string): Item[] => openOfTurn.all(turnId).map(toItem),
    finish: (id: string, end: ItemEnd): Item => {
      finish.run({ id, status: end.status, summary: end.summary, detail: end.detail ?? null, metadata: toJson(end.metadata), endedAt: end.endedAt });
      const row = find.get(id)!;
      search.updateItem(row);
      keepPreview(row);
      return toItem(row);
    },
    insertCopy: (i: CopiedItem): Item => {
      insertCopy.run({ ...i, detail: i.detail ?? null, metadata: toJson(i.metadata), startedAt: i.startedAt ?? null, endedAt: i.endedAt ?? null });
      const row = find.get(i.id)!;
      search.addItem(row);
      keepPreview(row);
      return toItem(row);
    },
    page: (turnId: string, limit: number, afterPosition?: number): PlacedItem[] =>
      page.all(turnId, afterPosition ?? 0, limit).map((row) => ({ item: toItem(row), position: row.position })),
    listHistory: (threadId: string): HistoryRow[] =>
      history.all(threadId).map((row) => ({
        turnId: row.turn_id,
        turnKind: row.turn_kind,
        turnStatus: row.turn_status,
        superseded: row.superseded !== 0,
        reverted: row.reverted !== 0,
        kind: row.kind,
        status: row.status,
        detail: row.detail ?? '',
        metadata: parseJson<Record<string, unknown>>(row.metadata),
      })),
  };
}
