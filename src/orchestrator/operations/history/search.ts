import { createHash } from 'node:crypto';
import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { SearchKey } from '../../../store/port.js';
import type { OperationDeps } from '../deps.js';
import { badCursor } from './cursor.js';

/** A snippet is at most this many characters (PROTOCOL.md §12). */
export const SNIPPET_CHARS = 200;
/** Words of a query past this are ignored: each is one more FTS5 term to intersect. */
export const MAX_TERMS = 32;

/**
 * The words of a user's query: runs of letters, digits and marks (what the index's unicode61
 * tokenizer calls a word). Everything else — quotes, `*`, `:`, parentheses, `-` — separates words,
 * and an operator word like `AND` is only a word: the store quotes each term.
 */
export function searchTerms(query: string): string[] {
  return (query.match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? []).slice(0, MAX_TERMS);
}

/** `thread/search`: titles and user/agent messages with every word of the query, best first. */
export function searchThreads(d: OperationDeps, p: ParsedParamsOf<'thread/search'>): ResultOf<'thread/search'> {
  const terms = searchTerms(p.query);
  const scope = queryScope(terms, p.archived);
  const after = p.cursor === undefined ? undefined : decodeSearchCursor(p.cursor, scope);
  return d.store.read((tx) => {
    // One extra row says whether a next page exists without a second query.
    const rows = tx.reports.search(terms, p.archived, p.limit + 1, after);
    const page = rows.slice(0, p.limit);
    const threads = new Map(page.map((r) => [r.threadId, tx.threads.find(r.threadId)!]));
    const results = page.map((r) => ({ thread: threads.get(r.threadId)!, snippet: boundSnippet(r.snippet), turnId: r.turnId, itemId: r.itemId }));
    const last = page[page.length - 1];
    return rows.length > p.limit && last ? { results, nextCursor: encodeSearchCursor(scope, last) } : { results };
  });
}

export function boundSnippet(snippet: string): string {
  // At most 2 UTF-16 units per character: the first 2 × 200 units hold 200 characters.
  const chars = Array.from(snippet.slice(0, SNIPPET_CHARS * 2 + 2));
  return chars.length > SNIPPET_CHARS ? `${chars.slice(0, SNIPPET_CHARS - 1).join('')}…` : chars.join('');
}

/** Names the query a cursor belongs to: a cursor of another query (or scope) is refused. */
function queryScope(terms: string[], archived: boolean): string {
  return createHash('sha256').update(JSON.stringify([terms.map((t) => t.toLowerCase()), archived])).digest('base64url').slice(0, 12);
}

function encodeSearchCursor(scope: string, key: SearchKey): string {
  return Buffer.from(JSON.stringify([scope, key.rank, key.key])).toString('base64url');
}

function decodeSearchCursor(cursor: string, scope: string): SearchKey {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === 3) {
      const [s, rank, key] = parts as unknown[];
      if (s === scope && typeof rank === 'number' && Number.isFinite(rank) && Number.isSafeInteger(key)) return { rank, key: key as number };
    }
  } catch {
    // fall through to the error below
  }
  throw badCursor();
}
