import type { Preparer } from '../lazy-statements.js';
import type Database from 'better-sqlite3';
import type { ReportReads, SearchHitRow, UsageGroup, UsageRange, UsageRow } from '../../port.js';
import type { Sync } from '../settled.js';
import { THREAD_SELECT_LIST, THREAD_VALUES, toThread, type ThreadValues } from './threads.js';

/** Tokens of context a snippet keeps around the hit (FTS5's maximum is 64). */
const SNIPPET_TOKENS = 24;

/**
 * `thread/search` over the FTS5 index of migration 006 (kept in step by tables/search-index.ts)
 * and the usage report as one GROUP BY. Every term is quoted (`"te""rm"*`): whatever the user
 * typed is a word prefix, never FTS5 syntax, so no input can make MATCH fail.
 */
export function reportTable(db: Preparer): Sync<ReportReads> {
  // `ORDER BY f.rank` alone is what FTS5 itself serves sorted (its sorter, ties in rowid order —
  // `search_docs.id`, the hit's key — as its scan yields them): the join then stops after
  // `offset + limit` hits, and only the returned ones get a snippet. Any second sort term (even
  // `f.rowid`) makes SQLite join, snippet and sort every hit before the LIMIT.
  // Selecting `f.rank` too made a page 0.5-0.7 ms (about 30%) slower at the p50 of row 13.
  // The thread's columns come with the hit from the join the archived test needs anyway: one
  // statement a page, not one more per thread (what made a page slow on Postgres, a round trip each).
  const from = `FROM search_fts f JOIN search_docs d ON d.id = f.rowid JOIN threads t ON t.id = d.thread_id
    WHERE search_fts MATCH @match AND t.archived = @archived
    ORDER BY f.rank LIMIT @limit OFFSET @offset`;
  // Raw rows: the thread's columns, then the hit's (HitColumns).
  const page = db
    .prepare<[Record<string, unknown>], ThreadValues>(`SELECT ${THREAD_SELECT_LIST}, f.rowid, d.turn_id, d.item_id,
      snippet(search_fts, 0, '', '', '…', ${SNIPPET_TOKENS}) ${from}`)
    .raw();
  const keys = db.prepare<[Record<string, unknown>], number>(`SELECT f.rowid ${from}`).pluck();
  const size = db.prepare<[], { titles: number; messages: number }>(
    'SELECT count(*) FILTER (WHERE item_id IS NULL) AS titles, count(item_id) AS messages FROM search_docs',
  );
  const usageStatements = new Map<UsageGroup, Database.Statement<[Record<string, unknown>], UsageRow>>();
  const usageStatement = (groupBy: UsageGroup) => {
    let statement = usageStatements.get(groupBy);
    if (!statement) {
      const key = { day: 'substr(created_at, 1, 10)', model: "coalesce(model, 'unknown')", thread: 'thread_id' }[groupBy];
      const sum = (field: string) => `coalesce(sum(json_extract(usage, '$.${field}')), 0)`;
      statement = db.prepare(`SELECT ${key} AS key, count(*) AS turns, ${sum('inputTokens')} AS inputTokens,
          ${sum('cachedInputTokens')} AS cachedInputTokens, ${sum('outputTokens')} AS outputTokens,
          ${sum('reasoningTokens')} AS reasoningTokens, sum(json_extract(usage, '$.costUsd')) AS costUsd
        FROM turns WHERE status IN ('completed', 'failed', 'interrupted') AND start_seq > 0
          AND (@since IS NULL OR created_at >= @since) AND (@until IS NULL OR created_at <= @until)
          AND (@threadId IS NULL OR thread_id = @threadId)
        GROUP BY 1 ORDER BY 1`);
      usageStatements.set(groupBy, statement);
    }
    return statement;
  };

  return {
    search: (terms: string[], archived: boolean, limit: number, offset: number): SearchHitRow[] => {
      if (terms.length === 0) return [];
      return page.all({ match: matchOf(terms), archived: archived ? 1 : 0, limit, offset }).map((r) => {
        const [key, turnId, itemId, snippet] = r.slice(THREAD_VALUES) as HitColumns;
        return { key, thread: toThread(r), turnId, itemId, snippet };
      });
    },
    searchKeys: (terms: string[], archived: boolean, limit: number, offset: number): number[] =>
      terms.length === 0 ? [] : keys.all({ match: matchOf(terms), archived: archived ? 1 : 0, limit, offset }),
    searchIndexSize: () => size.get()!,
    usage: (groupBy: UsageGroup, range: UsageRange): UsageRow[] =>
      usageStatement(groupBy).all({ since: range.since ?? null, until: range.until ?? null, threadId: range.threadId ?? null }),
  };
}

/** A hit's own columns, after its thread's. */
type HitColumns = [key: number, turnId: string | null, itemId: string | null, snippet: string];

/** Every term a quoted word prefix (`"te""rm"*`), all of them required. */
function matchOf(terms: string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(' ');
}
