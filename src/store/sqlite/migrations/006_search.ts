/**
 * Issue 12, `thread/search`. `search_docs` names what each full-text row is (a thread's title when
 * `item_id` is null, else a user or agent message); `search_fts` (FTS5, rowid = `search_docs.id`)
 * holds its words. Triggers keep both in step with every write in the writing statement itself —
 * thread insert and retitle, a message inserted or finished with text (also a fork's or an
 * import's copy), a thread deleted — so no write path can forget them, the index commits or rolls
 * back with the write, and a deleted thread is unfindable at once. Deletes and updates go by rowid
 * (found through the indexed `search_docs`), never by scanning the FTS table.
 * `unicode61 remove_diacritics 2`: case- and accent-insensitive words; `prefix='2 3'` speeds up
 * the word-prefix queries every search makes.
 */
export const sql = `
CREATE TABLE search_docs (
  id         INTEGER PRIMARY KEY,
  thread_id  TEXT NOT NULL,
  turn_id    TEXT,
  item_id    TEXT UNIQUE
) STRICT;
CREATE INDEX search_docs_by_thread ON search_docs (thread_id);
CREATE VIRTUAL TABLE search_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE TRIGGER search_thread_inserted AFTER INSERT ON threads BEGIN
  INSERT INTO search_docs (thread_id) VALUES (new.id);
  INSERT INTO search_fts (rowid, body) VALUES (last_insert_rowid(), new.title);
END;
CREATE TRIGGER search_thread_retitled AFTER UPDATE OF title ON threads WHEN new.title IS NOT old.title BEGIN
  UPDATE search_fts SET body = new.title
    WHERE rowid = (SELECT id FROM search_docs WHERE thread_id = new.id AND item_id IS NULL);
END;
CREATE TRIGGER search_thread_deleted AFTER DELETE ON threads BEGIN
  DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE thread_id = old.id);
  DELETE FROM search_docs WHERE thread_id = old.id;
END;
CREATE TRIGGER search_item_inserted AFTER INSERT ON items
  WHEN new.kind IN ('user_message', 'agent_message') AND new.status != 'in_progress' AND new.detail IS NOT NULL BEGIN
  INSERT INTO search_docs (thread_id, turn_id, item_id) VALUES (new.thread_id, new.turn_id, new.id);
  INSERT INTO search_fts (rowid, body) VALUES (last_insert_rowid(), new.detail);
END;
CREATE TRIGGER search_item_finished AFTER UPDATE OF status, detail ON items
  WHEN new.kind IN ('user_message', 'agent_message') AND new.status != 'in_progress' AND new.detail IS NOT NULL BEGIN
  DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE item_id = new.id);
  DELETE FROM search_docs WHERE item_id = new.id;
  INSERT INTO search_docs (thread_id, turn_id, item_id) VALUES (new.thread_id, new.turn_id, new.id);
  INSERT INTO search_fts (rowid, body) VALUES (last_insert_rowid(), new.detail);
END;

INSERT INTO search_docs (thread_id) SELECT id FROM threads ORDER BY rowid;
INSERT INTO search_docs (thread_id, turn_id, item_id)
  SELECT thread_id, turn_id, id FROM items
  WHERE kind IN ('user_message', 'agent_message') AND status != 'in_progress' AND detail IS NOT NULL ORDER BY rowid;
INSERT INTO search_fts (rowid, body)
  SELECT d.id, coalesce(i.detail, t.title) FROM search_docs d
  JOIN threads t ON t.id = d.thread_id LEFT JOIN items i ON i.id = d.item_id;
`;
