import { createHash } from 'node:crypto';
import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { ReadTx } from '../../../store/port.js';
import type { OperationDeps } from '../deps.js';
import { badCursor, decodeCursor, encodeCursor } from './cursor.js';

/** A snippet is at most this many characters (PROTOCOL.md §12). */
export const SNIPPET_CHARS = 200;
/** Words of a query past this are ignored: each is one more FTS5 term to intersect. */
export const MAX_TERMS = 32;
/** Pages reach this many best hits; a cursor past it ends the results. */
export const MAX_DEPTH = 10_000;
/** How far (in hits) the previous page's last hit is looked for around where it was. */
const ANCHOR_WINDOW = 100;

/** Where the next page starts: the previous page's end and its last hit. */
interface SearchCursor {
  offset: number;
  lastKey: number;
}

/**
 * The words of a user's query: runs of letters, digits and marks (what the index's unicode61
 * tokenizer calls a word). Everything else — quotes, `*`, `:`, parentheses, `-` — separates words,
 * and an operator word like `AND` is only a word: the store quotes each term.
 */
export function searchTerms(query: string): string[] {
  return (query.match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? []).slice(0, MAX_TERMS);
}

/** `thread/search`: titles and user/agent messages with every word of the query, best first. */
export async function searchThreads(d: OperationDeps, p: ParsedParamsOf<'thread/search'>): Promise<ResultOf<'thread/search'>> {
  const terms = searchTerms(p.query);
  const scope = queryScope(terms, p.archived);
  const cursor = p.cursor === undefined ? undefined : decodeSearchCursor(p.cursor, scope);
  return await d.store.read(async (tx) => {
    const start = cursor ? await continueAt(tx, terms, p.archived, cursor) : 0;
    const limit = Math.min(p.limit, MAX_DEPTH - start);
    if (limit <= 0) return { results: [] };
    // One extra row says whether a next page exists without a second query.
    const rows = await tx.reports.search(terms, p.archived, limit + 1, start);
    const page = rows.slice(0, limit);
    const results = page.map((r) => ({ thread: r.thread, snippet: boundSnippet(r.snippet), turnId: r.turnId, itemId: r.itemId }));
    const last = page[page.length - 1];
    return rows.length > limit && last ? { results, nextCursor: encodeSearchCursor(scope, { offset: start + page.length, lastKey: last.key }) } : { results };
  });
}

/**
 * Ranks are relative to the whole index, so any write between two pages moves them: a cursor
 * holding the last rank would skip or repeat hits. The cursor holds the previous page's last hit
 * instead; the next page starts right after wherever that hit is now (found near where it was),
 * or at the same offset if it is gone. Hits added before it or removed do not shift the page.
 */
async function continueAt(tx: ReadTx, terms: string[], archived: boolean, c: SearchCursor): Promise<number> {
  const from = Math.max(0, c.offset - ANCHOR_WINDOW);
  const around = await tx.reports.searchKeys(terms, archived, c.offset - from + ANCHOR_WINDOW, from);
  const at = around.indexOf(c.lastKey);
  return at < 0 ? c.offset : from + at + 1;
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

function encodeSearchCursor(scope: string, c: SearchCursor): string {
  return encodeCursor([scope, c.offset, c.lastKey]);
}

function decodeSearchCursor(cursor: string, scope: string): SearchCursor {
  const [s, offset, lastKey] = decodeCursor(cursor, ['string', 'number', 'number'] as const);
  if (s !== scope || offset <= 0 || offset > MAX_DEPTH) throw badCursor();
  return { offset, lastKey };
}
