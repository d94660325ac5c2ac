/**
 * Issue 15, approval rules (SQLite's migration 007): what an `approveForThread` / `approveAlways` /
 * `denyAlways` answer stores. One match and one scope per row; a thread-scoped rule goes with its thread.
 */
export const sql = `
CREATE TABLE approval_rules (
  id          TEXT PRIMARY KEY,
  effect      TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
  match_kind  TEXT NOT NULL CHECK (match_kind IN ('tool', 'commandPrefix', 'pathGlob')),
  match_value TEXT NOT NULL,
  scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('thread', 'workspace', 'global')),
  thread_id   TEXT REFERENCES threads (id) ON DELETE CASCADE,
  cwd         TEXT,
  created_at  TEXT NOT NULL,
  CHECK ((scope_kind = 'thread') = (thread_id IS NOT NULL)),
  CHECK ((scope_kind = 'workspace') = (cwd IS NOT NULL))
);
CREATE INDEX approval_rules_by_thread ON approval_rules (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX approval_rules_by_cwd ON approval_rules (cwd) WHERE cwd IS NOT NULL;
`;
