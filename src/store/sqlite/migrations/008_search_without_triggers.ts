/**
 * Issue 12 follow-up (bench rows 12-13): the search index of 006 is kept by the table code
 * (tables/items.ts, tables/threads.ts) instead of triggers. A trigger that writes to an FTS5 table
 * makes its statement open a statement savepoint, and FTS5 flushes its pending terms to disk (a new
 * segment, maybe a merge) at every savepoint: each message written paid a flush. Plain one-row
 * writes to `search_fts` in the same transaction keep the same guarantees — the index commits or
 * rolls back with the write it mirrors — and let FTS5 batch a transaction's terms into one flush.
 * The index itself (`search_docs`, `search_fts`) is kept as it is: only the triggers go.
 */
export const sql = `
DROP TRIGGER search_thread_inserted;
DROP TRIGGER search_thread_retitled;
DROP TRIGGER search_thread_deleted;
DROP TRIGGER search_item_inserted;
DROP TRIGGER search_item_finished;
`;
