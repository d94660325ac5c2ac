import type { Item, ItemKind, ItemStatus, TurnKind, TurnStatus } from '@threadline/protocol';
import type { CopiedItem, HistoryRow, ItemEnd, ItemReads, ItemWrites, NewItem, PlacedItem } from '../../port.js';
import type { Ctx } from '../db.js';
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

/** Characters of a thread's `preview`. */
const PREVIEW_CHARS = 140;

const INSERT = `INSERT INTO items (id, turn_id, thread_id, position, kind, status, summary, detail, metadata, started_at, ended_at)
  VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM items WHERE turn_id = $2), $4, $5, $6, $7, $8, $9, $10)
  RETURNING *`;

export function itemTable({ sql, locks }: Ctx): ItemReads & ItemWrites {
  /** A user or agent message written with its text becomes its thread's preview (140 characters). */
  const keepPreview = async (row: ItemRow) => {
    if ((row.kind === 'user_message' || row.kind === 'agent_message') && row.status !== 'in_progress' && row.detail) {
      const preview = Array.from(row.detail.slice(0, 2 * PREVIEW_CHARS)).slice(0, PREVIEW_CHARS).join('');
      sql.send('UPDATE threads SET preview = $2 WHERE id = $1', [row.thread_id, preview]);
    }
  };
  const list = async (text: string, values: unknown[]) => (await sql.rows<ItemRow>(text, values)).map(toItem);

  return {
    // Sent, not awaited: the item is what was written, read back as `find` would (no round trip).
    insert: async (i: NewItem): Promise<Item> => {
      await locks.thread(i.threadId);
      const metadata = toJson(i.metadata);
      const endedAt = i.status === 'in_progress' ? null : i.now;
      sql.send(INSERT, [i.id, i.turnId, i.threadId, i.kind, i.status, i.summary, i.detail ?? null, metadata, i.now, endedAt]);
      return toItem({ id: i.id, turn_id: i.turnId, thread_id: i.threadId, position: 0, kind: i.kind, status: i.status, summary: i.summary,
        detail: i.detail ?? null, metadata, started_at: i.now, ended_at: endedAt });
    },
    find: async (id: string): Promise<Item | undefined> => {
      const [row] = await sql.rows<ItemRow>('SELECT * FROM items WHERE id = $1', [id]);
      return row && toItem(row);
    },
    listOfTurn: (turnId: string) => list('SELECT * FROM items WHERE turn_id = $1 ORDER BY position', [turnId]),
    listOpenOfTurn: (turnId: string) => list("SELECT * FROM items WHERE turn_id = $1 AND status = 'in_progress' ORDER BY position", [turnId]),
    finish: async (id: string, end: ItemEnd): Promise<Item> => {
      await locks.threadOf('items', id);
      const [row] = await sql.rows<ItemRow>(
        `UPDATE items SET status = $2, detail = $3, summary = $4, metadata = coalesce($5, metadata), ended_at = $6 WHERE id = $1 RETURNING *`,
        [id, end.status, end.detail ?? null, end.summary, toJson(end.metadata), end.endedAt],
      );
      if (!row) throw new Error(`no item ${id} to finish`);
      await keepPreview(row);
      return toItem(row);
    },
    insertCopy: async (i: CopiedItem): Promise<Item> => {
      await locks.thread(i.threadId);
      const [row] = await sql.rows<ItemRow>(INSERT, [i.id, i.turnId, i.threadId, i.kind, i.status, i.summary, i.detail ?? null,
        toJson(i.metadata), i.startedAt ?? null, i.endedAt ?? null]);
      await keepPreview(row!);
      return toItem(row!);
    },
    page: async (turnId: string, limit: number, afterPosition?: number): Promise<PlacedItem[]> => {
      const rows = await sql.rows<ItemRow>('SELECT * FROM items WHERE turn_id = $1 AND position > $2 ORDER BY position LIMIT $3', [turnId, afterPosition ?? 0, limit]);
      return rows.map((row) => ({ item: toItem(row), position: row.position }));
    },
    listHistory: async (threadId: string): Promise<HistoryRow[]> => {
      await locks.thread(threadId);
      const rows = await sql.rows<ItemRow & { turn_kind: TurnKind; turn_status: TurnStatus; superseded: boolean; reverted: boolean }>(
        `SELECT i.*, t.kind AS turn_kind, t.status AS turn_status, t.superseded_by IS NOT NULL AS superseded, t.reverted_at IS NOT NULL AS reverted
        FROM items i JOIN turns t ON t.id = i.turn_id WHERE t.thread_id = $1 ORDER BY t.start_seq, i.position`,
        [threadId],
      );
      return rows.map((row) => ({
        turnId: row.turn_id,
        turnKind: row.turn_kind,
        turnStatus: row.turn_status,
        superseded: row.superseded,
        reverted: row.reverted,
        kind: row.kind,
        status: row.status,
        detail: row.detail ?? '',
        metadata: parseJson<Record<string, unknown>>(row.metadata),
      }));
    },
  };
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    turnId: row.turn_id,
    kind: row.kind,
    status: row.status,
    summary: row.summary,
    detail: opt(row.detail),
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    startedAt: opt(row.started_at),
    endedAt: opt(row.ended_at),
  };
}
