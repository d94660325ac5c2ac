import type { Preparer } from '../lazy-statements.js';

/** What an item row needs for the index to judge and hold it. */
export interface IndexableItem {
  id: string;
  thread_id: string;
  turn_id: string;
  kind: string;
  status: string;
  detail: string | null;
}

/**
 * Keeps the `thread/search` index of migration 006 (`search_docs` names each entry, `search_fts`
 * holds its words, rowid = `search_docs.id`) in step with the thread and item writes, in the
 * caller's transaction: the entry commits or rolls back with the write it mirrors. Migration 008
 * moved this here from triggers: a trigger writing to FTS5 gives its statement a savepoint, and
 * FTS5 flushes its pending terms at every savepoint — one flush per message; these plain one-row
 * writes let FTS5 flush once per transaction. Deletes and updates go by rowid, found through the
 * indexed `search_docs`, never by scanning the FTS table.
 */
export function searchIndex(db: Preparer) {
  const insertDoc = db.prepare<[string, string | null, string | null]>('INSERT INTO search_docs (thread_id, turn_id, item_id) VALUES (?, ?, ?)');
  const insertText = db.prepare<[number | bigint, string]>('INSERT INTO search_fts (rowid, body) VALUES (?, ?)');
  const titleDoc = db.prepare<[string], { id: number }>('SELECT id FROM search_docs WHERE thread_id = ? AND item_id IS NULL');
  const itemDoc = db.prepare<[string], { id: number }>('SELECT id FROM search_docs WHERE item_id = ?');
  const updateText = db.prepare<[string, number]>('UPDATE search_fts SET body = ? WHERE rowid = ?');
  const removeThreadTexts = db.prepare<[string]>('DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE thread_id = ?)');
  const removeThreadDocs = db.prepare<[string]>('DELETE FROM search_docs WHERE thread_id = ?');

  const add = (threadId: string, turnId: string | null, itemId: string | null, text: string) => {
    insertText.run(insertDoc.run(threadId, turnId, itemId).lastInsertRowid, text);
  };
  /** A user or agent message written whole, with text, is searchable; a streaming one not yet. */
  const indexable = (row: IndexableItem): row is IndexableItem & { detail: string } =>
    (row.kind === 'user_message' || row.kind === 'agent_message') && row.status !== 'in_progress' && row.detail !== null;

  return {
    /** A new thread's title. */
    addThread: (threadId: string, title: string) => add(threadId, null, null, title),
    /** A thread's new title (the caller skips an unchanged one). */
    retitle: (threadId: string, title: string) => {
      const doc = titleDoc.get(threadId);
      if (doc) updateText.run(title, doc.id);
      else add(threadId, null, null, title);
    },
    /** Everything of a deleted thread: unfindable in the deleting transaction. */
    removeThread: (threadId: string) => {
      removeThreadTexts.run(threadId);
      removeThreadDocs.run(threadId);
    },
    /** An item just inserted (never indexed before): indexed if it is a finished message. */
    addItem: (row: IndexableItem) => {
      if (indexable(row)) add(row.thread_id, row.turn_id, row.id, row.detail);
    },
    /** An item just finished: indexed with its final text; an entry it had keeps its key. */
    updateItem: (row: IndexableItem) => {
      if (!indexable(row)) return;
      const doc = itemDoc.get(row.id);
      if (doc) updateText.run(row.detail, doc.id);
      else add(row.thread_id, row.turn_id, row.id, row.detail);
    },
  };
}
