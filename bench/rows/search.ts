import Database from 'better-sqlite3';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { seededRandom, vocabulary, zipfSampler } from '../fixtures/words.js';
import { spawnBaseline, unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';

const PROMPT_WORDS = 8;
const LIMIT = 20; // thread/search's default page

/**
 * Row 13: `thread/search` latency (first page of 20, p50) on a 10k-thread / 100k-turn / 1M-event
 * database whose prompts are 8 words drawn with Zipf frequencies from 4,000 made-up words, for
 * one- and two-word queries drawn the same way (common words hit a large share of the index).
 * Baseline (since 2026-12-02): the floor of a search answered by a sidecar, the same page done
 * raw over stdio (bench/baselines/search-floor-server.ts: the server's page query, thread
 * records, one vscode-jsonrpc round trip). The raw FTS5 MATCH in the bench process (the server's
 * own expression, ranked, the same snippet and limit, on the file opened read-only), the row's
 * baseline before, is timed too and logged: it pays no round trip.
 * Every query runs on all three, the first of them in turn, so noise and caching land on all.
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
  const floor = spawnBaseline('search-floor-server', [db]);
  floor.connection.listen();
  const samples: [number[], number[], number[]] = [[], [], []];
  const work = async () => {
    for (const [n, text] of texts.entries()) {
      const timed = async (hitsOf: () => Promise<number> | number) => {
        const start = performance.now();
        const hits = await hitsOf();
        return { hits, ms: performance.now() - start };
      };
      const sides = [
        () => timed(async () => (await server.client.request('thread/search', { query: text, limit: LIMIT })).results.length),
        () => timed(async () => (await floor.connection.sendRequest<{ results: unknown[] }>('search', { query: text, limit: LIMIT })).results.length),
        () => timed(() => match.all(expression(text)).length),
      ];
      // The side that runs first may read pages from disk that the others then find cached: take turns.
      const measured: { hits: number; ms: number }[] = [];
      for (let k = 0; k < sides.length; k++) {
        const side = (n + k) % sides.length;
        measured[side] = await sides[side]!();
      }
      const [served, floored, direct] = measured as [{ hits: number; ms: number }, { hits: number; ms: number }, { hits: number; ms: number }];
      if (served.hits !== Math.min(direct.hits, LIMIT) || floored.hits !== served.hits) {
        throw new Error(`"${text}": thread/search returned ${served.hits} hits, the floor ${floored.hits}, the raw query ${direct.hits}`);
      }
      if (n >= 20) {
        samples[0].push(served.ms);
        samples[1].push(floored.ms);
        samples[2].push(direct.ms);
      }
    }
  };
  await unlessCrashed(floor, 'search-floor-server', unlessCrashed(server, 'threadline', work()));
  await server.close();
  await floor.kill();
  raw.close();
  const [served, floored, direct] = samples.map((s) => percentile(s, 50)) as [number, number, number];
  ctx.log(`row 13: the same page raw over stdio (search-floor-server) ${floored.toFixed(2)} ms p50 = ${(floored / direct).toFixed(2)}× the raw query in-process (${direct.toFixed(2)} ms); Threadline ${(served / direct).toFixed(2)}× the raw query, ${(served / floored).toFixed(2)}× the floor`);
  const label = ctx.quick
    ? `${threads / 1000}k threads / ${Math.round(generated.events / 1000)}k events (quick)`
    : `${threads / 1000}k threads / ${(generated.events / 1e6).toFixed(0)}M events`;
  return [row(`13 thread/search p50, ${label}, vs the page done raw over stdio`, served, 'ms', floored, { atMost: 1.5 })];
}
