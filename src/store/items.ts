import type Database from 'better-sqlite3';
import type { Item, ItemKind, ItemStatus } from '@threadline/protocol';
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

export interface NewItem {
  id: string;
  turnId: string;
  threadId: string;
  kind: ItemKind;
  status: ItemStatus;
  detail?: string;
  metadata?: Record<string, unknown>;
  now: string;
}

export interface ItemEnd {
  status: Exclude<ItemStatus, 'in_progress'>;
  detail?: string;
  metadata?: Record<string, unknown>;
  endedAt: string;
}

/** One persisted item of the surviving conversation, as engines get it on load. */
export interface HistoryRow {
  turnId: string;
  kind: ItemKind;
  status: ItemStatus;
  detail: string;
  metadata?: Record<string, unknown>;
}

const SUMMARY_CHARS = 200;

/** `summary` is the text cut to 200 characters (PROTOCOL.md §3). */
export function summarize(text: string | undefined): string {
  if (!text) return '';
  const chars = Array.from(text.slice(0, SUMMARY_CHARS * 2));
  return chars.length > SUMMARY_CHARS ? chars.slice(0, SUMMARY_CHARS).join('') : chars.join('');
}

export function itemStatements(db: Database.Database) {
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
    insertItem: (i: NewItem): Item => {
      insert.run({
        ...i,
        summary: summarize(i.detail),
        detail: i.detail ?? null,
        metadata: toJson(i.metadata),
        endedAt: i.status === 'in_progress' ? null : i.now,
      });
      return toItem(find.get(i.id)!);
    },
    findItem: (id: string): Item | undefined => {
      const row = find.get(id);
      return row && toItem(row);
    },
    listItemsOfTurn: (turnId: string): Item[] => byTurn.all(turnId).map(toItem),
    listOpenItemsOfTurn: (turnId: string): Item[] => openOfTurn.all(turnId).map(toItem),
    finishItem: (id: string, end: ItemEnd): Item => {
      finish.run({ id, ...end, detail: end.detail ?? null, summary: summarize(end.detail), metadata: toJson(end.metadata) });
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

export type ItemStatements = ReturnType<typeof itemStatements>;
