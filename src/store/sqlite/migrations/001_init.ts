/** The first schema: threads, turns, items, the durable inbox, the event log, routing, idempotency. */
export const sql = `
CREATE TABLE threads (
  id               TEXT PRIMARY KEY,
  title            TEXT NOT NULL,
  archived         INTEGER NOT NULL DEFAULT 0,
  model            TEXT,
  mode             TEXT,
  cwd              TEXT,
  system_prompt    TEXT,
  auto_approve     INTEGER NOT NULL,
  trust_mode       INTEGER NOT NULL,
  metadata         TEXT NOT NULL,
  running_turn_id  TEXT,
  latest_turn_id   TEXT,
  last_seq         INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX threads_by_updated ON threads (archived, updated_at DESC, id DESC);
CREATE INDEX threads_running ON threads (running_turn_id) WHERE running_turn_id IS NOT NULL;

CREATE TABLE turns (
  id             TEXT PRIMARY KEY,
  thread_id      TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  status         TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed', 'interrupted')),
  input_summary  TEXT NOT NULL,
  model          TEXT,
  options        TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  ended_at       TEXT,
  duration_ms    INTEGER,
  usage          TEXT,
  error          TEXT,
  steer_count    INTEGER NOT NULL DEFAULT 0,
  superseded_by  TEXT,
  start_seq      INTEGER NOT NULL
) STRICT;
CREATE INDEX turns_by_thread ON turns (thread_id, start_seq);
CREATE INDEX turns_in_progress ON turns (status) WHERE status = 'in_progress';

CREATE TABLE items (
  id          TEXT PRIMARY KEY,
  turn_id     TEXT NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
  thread_id   TEXT NOT NULL,
  position    INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed')),
  summary     TEXT NOT NULL,
  detail      TEXT,
  metadata    TEXT,
  started_at  TEXT,
  ended_at    TEXT
) STRICT;
CREATE UNIQUE INDEX items_by_turn ON items (turn_id, position);

CREATE TABLE admissions (
  id                 TEXT PRIMARY KEY,
  thread_id          TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  admitted_seq       INTEGER NOT NULL,
  prompt             TEXT NOT NULL,
  delivery           TEXT NOT NULL CHECK (delivery IN ('queue', 'steer')),
  state              TEXT NOT NULL CHECK (state IN ('pending', 'promoted', 'cancelled')),
  options            TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  promoted_seq       INTEGER,
  turn_id            TEXT
) STRICT;
CREATE UNIQUE INDEX admissions_by_thread ON admissions (thread_id, admitted_seq);
CREATE INDEX admissions_pending ON admissions (thread_id, admitted_seq) WHERE state = 'pending';

CREATE TABLE events (
  thread_id  TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  turn_id    TEXT,
  item_id    TEXT,
  kind       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  time       TEXT NOT NULL,
  PRIMARY KEY (thread_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE client_requests (
  thread_id          TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  client_request_id  TEXT NOT NULL,
  turn_id            TEXT NOT NULL,
  admission_id       TEXT,
  queued             INTEGER NOT NULL,
  created_at         TEXT NOT NULL,
  PRIMARY KEY (thread_id, client_request_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE routing_rules (
  position  INTEGER PRIMARY KEY,
  intent    TEXT NOT NULL,
  model     TEXT NOT NULL
) STRICT;
`;
