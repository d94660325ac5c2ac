/**
 * Issue 16: the machine each owner runs on. A pid is judged only by a process on the same machine;
 * an owner on another machine is dead only once its lease has expired. Rows from before this
 * migration have none: they are judged by their host name, as before.
 *
 * Numbered 010 on purpose: 009 belongs to another change in flight; the runner applies versions
 * in order and needs no contiguous numbers.
 */
export const sql = `
ALTER TABLE owners ADD COLUMN machine_id TEXT;
`;
