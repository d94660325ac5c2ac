import Database from 'better-sqlite3';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { seededRandom, vocabulary, zipfSampler } from '../fixtures/words.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';

const PROMPT_WORDS = 8;
const LIMIT = 20; // thread/search's default page

/**
 * Row 13: `thread/search` latency (first page of 20, p50) on a 10k-thread / 100k-turn / 1M-event
 * database whose prompts are 8 words drawn with Zipf frequencies from 4,000 made-up words, for
 * one- and two-word queries drawn the same way (common words hit a large share of the index).
 * Baseline: the same FTS5 MATCH (the server's own expression, each word a quoted prefix), ranked,
 * with the same snippet and limit, run in the bench process on the same file opened read-only.
 * Every query runs on both sides, which goes first alternating, so noise and caching land on both.
 */
export async function measureSearch(ctx: BenchContext): Promise<Row[]> {
  const threads = ctx.quick ? 500 : 10_000;
  const queries = ctx.quick ? 150 : 300;
  const db = dbPath(ctx, 'search');
  const words = vocabulary(4_000);
  const promptWord = zipfSampler(words, seededRandom(12));
  const prompt = () => Array.from({ length: PROMPT_WORDS }, promptWord).join(' ');
  const generated = generateHistoryDb(db, { threads, turnsPerThread: 10, deltasPerTurn: 3, prompt });
  ctx.log(`row 13: wrote ${generated.threadIds.length} threads / ${generated.turns} turns / ${generated.events} events (indexed) in ${Math.round(generated.ms)} ms`);

  const queryWord = zipfSampler(words, seededRandom(13));
  const texts = Array.from({ length: queries + 20 }, (_, i) => (i % 2 === 0 ? queryWord() : `${queryWord()} ${queryWord()}`));
  const raw = new Database(db, { readonly: true, fileMustExist: true });
  const match = raw.prepare<[string], { rowid: number; snippet: string }>(
    `SELECT rowid, snippet(search_fts, 0, '', '', '…', 24) AS snippet FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ${LIMIT + 1}`,
  );
  // The server's MATCH expression for a query (tables/reports.ts): every word a quoted prefix.
  const expression = (text: string) => text.split(' ').map((w) => `"${w}"*`).join(' ');

  const server = await startServer({ db, profile: profileName(ctx, 'row13-search') });
  const samples: [number[], number[]] = [[], []];
  const work = async () => {
    for (const [n, text] of texts.entries()) {
      const serve = async () => {
        const start = performance.now();
        const { results } = await server.client.request('thread/search', { query: text, limit: LIMIT });
        return { hits: results.length, ms: performance.now() - start };
      };
      const query = () => {
        const start = performance.now();
        const hits = match.all(expression(text)).length;
        return { hits, ms: performance.now() - start };
      };
      // The side that runs first may read pages from disk that the other then finds cached: take turns.
      let served, direct;
      if (n % 2 === 0) {
        served = await serve();
        direct = query();
      } else {
        direct = query();
        served = await serve();
      }
      if (served.hits !== Math.min(direct.hits, LIMIT)) {
        throw new Error(`"${text}": thread/search returned ${served.hits} hits, the raw query ${direct.hits}`);
      }
      if (n >= 20) {
        samples[0].push(served.ms);
        samples[1].push(direct.ms);
      }
    }
  };
  await unlessCrashed(server, 'threadline', work());
  await server.close();
  raw.close();
  const label = ctx.quick
    ? `${threads / 1000}k threads / ${Math.round(generated.events / 1000)}k events (quick)`
    : `${threads / 1000}k threads / ${(generated.events / 1e6).toFixed(0)}M events`;
  return [row(`13 thread/search p50, ${label}`, percentile(samples[0], 50), 'ms', percentile(samples[1], 50), { atMost: 1.5 })];
}
