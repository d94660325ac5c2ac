/**
 * Several server processes on one file (issue 5 §1): each process records itself as an owner,
 * and a thread's running turn is leased to one owner until `lease_expires_at` (renewed by the
 * owner's heartbeat). A lease exists exactly while `running_turn_id` is set.
 */
export const sql = `
CREATE TABLE owners (
  id            TEXT PRIMARY KEY,
  pid           INTEGER NOT NULL,
  hostname      TEXT NOT NULL,
  process_key   TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  heartbeat_at  TEXT NOT NULL
) STRICT;
ALTER TABLE threads ADD COLUMN lease_owner TEXT;
ALTER TABLE threads ADD COLUMN lease_expires_at TEXT;
CREATE INDEX threads_by_lease_owner ON threads (lease_owner) WHERE lease_owner IS NOT NULL;
`;
