/**
 * The queue has been read in `position` order (index `admissions_queue`, migration 005) ever
 * since queued prompts became reorderable; `admissions_pending` (thread, admitted seq) serves no
 * query, yet every admission, promotion and cancellation wrote it: one page of each such commit.
 */
export const sql = `
DROP INDEX IF EXISTS admissions_pending;
`;
