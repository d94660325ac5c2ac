import type { ReportReads, SearchHitRow, UsageGroup, UsageRange, UsageRow } from '../../port.js';
import type { Ctx } from '../db.js';
import { toThread, type ThreadRow } from './threads.js';

/** Words of context a snippet keeps around the hit. */
const SNIPPET_WORDS = 24;

/**
 * The terms as a tsquery: every word of every term as a quoted word prefix (`'te''rm':*`), ANDed.
 * The words come from the same parser that indexed the text, so whatever the user typed is words,
 * never tsquery syntax: no input can make the query fail. No word at all matches nothing.
 */
const QUERY = `to_tsquery('simple', (SELECT string_agg('''' || replace(replace(w, '\\', '\\\\'), '''', '''''') || ''':*', ' & ')
  FROM unnest(tsvector_to_array(to_tsvector('simple', $1))) AS w))`;

/** The page of hits for $1 (the terms), $2 (archived), $3 (limit) and $4 (offset), best first. */
const HITS = `q AS (SELECT ${QUERY} AS query),
  hits AS (
    SELECT d.id AS key, -ts_rank(d.words, q.query) AS rank, d.thread_id, d.turn_id, d.item_id, d.body, q.query
    FROM search_docs d JOIN threads t ON t.id = d.thread_id, q
    WHERE d.words @@ q.query AND t.archived = $2
    ORDER BY rank, d.id LIMIT $3 OFFSET $4)`;

type HitRow = ThreadRow & { key: number; turnId: string | null; itemId: string | null; snippet: string };

/**
 * `thread/search` over migration 001's `search_docs` (kept in step by its triggers) and the usage
 * report as one GROUP BY. Hits are ordered by ts_rank, best first; it differs from SQLite's bm25
 * in value, not in meaning.
 */
export function reportTable({ sql }: Ctx): ReportReads {
  return {
    search: async (terms: string[], archived: boolean, limit: number, offset: number): Promise<SearchHitRow[]> => {
      if (terms.length === 0) return [];
      // The page's threads are joined after the LIMIT: a row each, not carried through the sort.
      const rows = await sql.rows<HitRow>(
        `WITH ${HITS}
        SELECT h.key, h.turn_id AS "turnId", h.item_id AS "itemId",
          ts_headline('simple', h.body, h.query, 'StartSel="", StopSel="", MaxWords=${SNIPPET_WORDS}, MinWords=${SNIPPET_WORDS / 2}, ShortWord=0') AS snippet,
          t.*
        FROM hits h JOIN threads t ON t.id = h.thread_id ORDER BY h.rank, h.key`,
        [terms.join(' '), archived, limit, offset],
      );
      return rows.map((row) => ({ key: row.key, thread: toThread(row), turnId: row.turnId, itemId: row.itemId, snippet: row.snippet }));
    },
    searchKeys: async (terms: string[], archived: boolean, limit: number, offset: number): Promise<number[]> => {
      if (terms.length === 0) return [];
      const rows = await sql.rows<{ key: number }>(`WITH ${HITS} SELECT key FROM hits ORDER BY rank, key`, [terms.join(' '), archived, limit, offset]);
      return rows.map((row) => row.key);
    },
    searchIndexSize: async () => {
      const [row] = await sql.rows<{ titles: number; messages: number }>(
        'SELECT count(*) FILTER (WHERE item_id IS NULL) AS titles, count(item_id) AS messages FROM search_docs',
      );
      return row!;
    },
    usage: async (groupBy: UsageGroup, range: UsageRange): Promise<UsageRow[]> => {
      // created_at is ISO 8601 UTC text: its first 10 characters are the UTC day. Keys sort by
      // code point (COLLATE "C"), as SQLite's do, whatever the database's collation.
      const key = { day: 'substr(created_at, 1, 10)', model: "coalesce(model, 'unknown')", thread: 'thread_id' }[groupBy];
      const sum = (field: string) => `coalesce(sum((usage::jsonb ->> '${field}')::numeric), 0)::float8`;
      return sql.rows<UsageRow>(
        `SELECT ${key} AS key, count(*)::int AS turns, ${sum('inputTokens')} AS "inputTokens",
          ${sum('cachedInputTokens')} AS "cachedInputTokens", ${sum('outputTokens')} AS "outputTokens",
          ${sum('reasoningTokens')} AS "reasoningTokens", sum((usage::jsonb ->> 'costUsd')::numeric)::float8 AS "costUsd"
        FROM turns WHERE status IN ('completed', 'failed', 'interrupted') AND start_seq > 0
          AND ($1::text IS NULL OR created_at >= $1::text) AND ($2::text IS NULL OR created_at <= $2::text)
          AND ($3::text IS NULL OR thread_id = $3::text)
        GROUP BY 1 ORDER BY ${key} COLLATE "C"`,
        [range.since ?? null, range.until ?? null, range.threadId ?? null],
      );
    },
  };
}
