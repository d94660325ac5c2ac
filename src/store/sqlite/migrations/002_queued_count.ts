/**
 * Threads carry their pending-admission count, kept by the statements that admit, promote and
 * cancel: reading a thread is then O(1) instead of a count over its inbox. The full
 * (thread_id, admitted_seq) index goes: only pending admissions are ever looked up by thread,
 * and one index less is one page less written per admission.
 */
export const sql = `
DROP INDEX admissions_by_thread;
ALTER TABLE threads ADD COLUMN queued_count INTEGER NOT NULL DEFAULT 0;
UPDATE threads SET queued_count =
  (SELECT count(*) FROM admissions a WHERE a.thread_id = threads.id AND a.state = 'pending');
`;
