/**
 * Issue 16 (SQLite's migration 010): the machine each owner runs on. A pid is judged only by a
 * process on the same machine; an owner on another machine is dead only once its lease has
 * expired by the database's clock. Rows from before it have none (judged by host name).
 *
 * Numbered 004 on purpose: 003 belongs to another change in flight; the runner applies versions
 * in order and needs no contiguous numbers.
 */
export const sql = `
ALTER TABLE owners ADD COLUMN machine_id text;
`;
