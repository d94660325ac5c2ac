/**
 * The Postgres schema, equal in meaning to SQLite's migrations 001–006 taken together (this
 * adapter starts at the schema SQLite reached). Times are ISO 8601 UTC text, as in SQLite: the
 * records carry them byte for byte, and text orders like time. JSON is text too: an event's
 * payload must read back byte-identical to what `append` returned (jsonb would reorder keys).
 */
export const sql = `
CREATE TABLE threads (
  id                  text PRIMARY KEY,
  title               text NOT NULL,
  archived            boolean NOT NULL DEFAULT false,
  model               text,
  mode                text,
  cwd                 text,
  system_prompt       text,
  auto_approve        boolean NOT NULL,
  trust_mode          boolean NOT NULL,
  metadata            text NOT NULL,
  running_turn_id     text,
  latest_turn_id      text,
  last_seq            bigint NOT NULL DEFAULT 0,
  created_at          text NOT NULL,
  updated_at          text NOT NULL,
  queued_count        integer NOT NULL DEFAULT 0,
  lease_owner         text,
  lease_expires_at    text,
  forked_from_thread  text,
  forked_from_turn    text,
  imported_from       text,
  preview             text,
  history_rev         integer NOT NULL DEFAULT 0
);
CREATE INDEX threads_by_updated ON threads (archived, updated_at DESC, id DESC);
CREATE INDEX threads_by_status ON threads (archived, (running_turn_id IS NULL), updated_at DESC, id DESC);
CREATE INDEX threads_running ON threads (running_turn_id) WHERE running_turn_id IS NOT NULL;
CREATE INDEX threads_by_lease_owner ON threads (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE TABLE turns (
  id             text PRIMARY KEY,
  thread_id      text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  status         text NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed', 'interrupted')),
  input_summary  text NOT NULL,
  model          text,
  options        text NOT NULL,
  created_at     text NOT NULL,
  started_at     text,
  ended_at       text,
  duration_ms    bigint,
  usage          text,
  error          text,
  steer_count    integer NOT NULL DEFAULT 0,
  superseded_by  text,
  start_seq      bigint NOT NULL,
  kind           text NOT NULL DEFAULT 'prompt' CHECK (kind IN ('prompt', 'compaction')),
  reverted_at    text,
  reverted_seq   bigint
);
CREATE INDEX turns_by_thread ON turns (thread_id, start_seq);
CREATE INDEX turns_in_progress ON turns (status) WHERE status = 'in_progress';

CREATE TABLE items (
  id          text PRIMARY KEY,
  turn_id     text NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
  thread_id   text NOT NULL,
  position    integer NOT NULL,
  kind        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('in_progress', 'completed', 'failed')),
  summary     text NOT NULL,
  detail      text,
  metadata    text,
  started_at  text,
  ended_at    text
);
CREATE UNIQUE INDEX items_by_turn ON items (turn_id, position);

CREATE TABLE admissions (
  id            text PRIMARY KEY,
  thread_id     text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  admitted_seq  bigint NOT NULL,
  prompt        text NOT NULL,
  delivery      text NOT NULL CHECK (delivery IN ('queue', 'steer')),
  state         text NOT NULL CHECK (state IN ('pending', 'promoted', 'cancelled')),
  options       text NOT NULL,
  created_at    text NOT NULL,
  promoted_seq  bigint,
  turn_id       text,
  position      bigint
);
CREATE INDEX admissions_queue ON admissions (thread_id, position) WHERE state = 'pending';

CREATE TABLE events (
  thread_id  text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  seq        bigint NOT NULL,
  turn_id    text,
  item_id    text,
  kind       text NOT NULL,
  payload    text NOT NULL,
  time       text NOT NULL,
  PRIMARY KEY (thread_id, seq)
);

CREATE TABLE client_requests (
  thread_id          text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  client_request_id  text NOT NULL,
  turn_id            text NOT NULL,
  admission_id       text,
  queued             boolean NOT NULL,
  created_at         text NOT NULL,
  PRIMARY KEY (thread_id, client_request_id)
);

CREATE TABLE routing_rules (
  position  integer PRIMARY KEY,
  intent    text NOT NULL,
  model     text NOT NULL
);

CREATE TABLE owners (
  id             text PRIMARY KEY,
  pid            integer NOT NULL,
  hostname       text NOT NULL,
  process_key    text NOT NULL,
  pid_namespace  text,
  lease_ttl_ms   bigint,
  started_at     text NOT NULL,
  heartbeat_at   text NOT NULL
);

-- thread/search: one row per title (item_id null) or finished user/agent message, its words in
-- a generated tsvector ('simple': lower-cased words, no stemming, like FTS5's unicode61), kept in
-- step by triggers in the writing statement itself, so the index commits or rolls back with it.
CREATE TABLE search_docs (
  id         bigserial PRIMARY KEY,
  thread_id  text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
  turn_id    text,
  item_id    text UNIQUE,
  body       text NOT NULL,
  words      tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
);
CREATE INDEX search_docs_by_thread ON search_docs (thread_id);
CREATE INDEX search_docs_words ON search_docs USING gin (words);

CREATE FUNCTION search_thread_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_docs (thread_id, body) VALUES (new.id, new.title);
  RETURN NULL;
END $$;
CREATE TRIGGER search_thread_inserted AFTER INSERT ON threads FOR EACH ROW EXECUTE FUNCTION search_thread_inserted();

CREATE FUNCTION search_thread_retitled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE search_docs SET body = new.title WHERE thread_id = new.id AND item_id IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER search_thread_retitled AFTER UPDATE OF title ON threads
  FOR EACH ROW WHEN (new.title IS DISTINCT FROM old.title) EXECUTE FUNCTION search_thread_retitled();

CREATE FUNCTION search_item_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_docs (thread_id, turn_id, item_id, body) VALUES (new.thread_id, new.turn_id, new.id, new.detail)
    ON CONFLICT (item_id) DO UPDATE SET body = excluded.body;
  RETURN NULL;
END $$;
CREATE TRIGGER search_item_inserted AFTER INSERT ON items FOR EACH ROW
  WHEN (new.kind IN ('user_message', 'agent_message') AND new.status <> 'in_progress' AND new.detail IS NOT NULL)
  EXECUTE FUNCTION search_item_written();
CREATE TRIGGER search_item_finished AFTER UPDATE OF status, detail ON items FOR EACH ROW
  WHEN (new.kind IN ('user_message', 'agent_message') AND new.status <> 'in_progress' AND new.detail IS NOT NULL)
  EXECUTE FUNCTION search_item_written();
`;
