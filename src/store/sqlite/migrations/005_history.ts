/**
 * Issue 12, history operations. Threads remember where a fork or an import came from and show a
 * preview (the newest user or agent message, kept by the item writes); `history_rev` changes when
 * what an engine must see changes without a new turn (revert, unrevert), so a loaded engine is
 * reloaded. Turns get a kind (`compaction` turns summarise what came before) and `reverted_at` /
 * `reverted_seq` (the seq of the `thread.reverted` event: the most recent revert is the largest).
 * Admissions get a queue `position` (reorderQueued), starting as their admitted seq.
 */
export const sql = `
ALTER TABLE threads ADD COLUMN forked_from_thread TEXT;
ALTER TABLE threads ADD COLUMN forked_from_turn TEXT;
ALTER TABLE threads ADD COLUMN imported_from TEXT;
ALTER TABLE threads ADD COLUMN preview TEXT;
ALTER TABLE threads ADD COLUMN history_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN kind TEXT NOT NULL DEFAULT 'prompt' CHECK (kind IN ('prompt', 'compaction'));
ALTER TABLE turns ADD COLUMN reverted_at TEXT;
ALTER TABLE turns ADD COLUMN reverted_seq INTEGER;
ALTER TABLE admissions ADD COLUMN position INTEGER;
UPDATE admissions SET position = admitted_seq;
CREATE INDEX admissions_queue ON admissions (thread_id, position) WHERE state = 'pending';
CREATE INDEX threads_by_status ON threads (archived, (running_turn_id IS NULL), updated_at DESC, id DESC);
UPDATE threads SET preview = (
  SELECT substr(i.detail, 1, 140) FROM items i JOIN turns t ON t.id = i.turn_id
  WHERE t.thread_id = threads.id AND i.kind IN ('user_message', 'agent_message') AND i.status != 'in_progress' AND i.detail IS NOT NULL
  ORDER BY t.start_seq DESC, i.position DESC LIMIT 1
);
`;
