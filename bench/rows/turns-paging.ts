import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { startServer } from '../lib/threadline.js';

const SHORT = 10;
const PAGE = SHORT; // both pages hold the same number of turns: only the thread's length differs

/**
 * Row 14: the first `thread/turns` page (newest first, limit 10) of a 10k-turn thread against the
 * same call on a 10-turn thread, p50, in one server on one database; the calls alternate. Both
 * pages hold 10 turns, so a ratio near 1 says that opening a long thread costs what a page
 * costs, not what its history costs.
 */
export async function measureTurnsPaging(ctx: BenchContext): Promise<Row[]> {
  const long = ctx.quick ? 1_000 : 10_000;
  const calls = ctx.quick ? 200 : 1000;
  const db = dbPath(ctx, 'turns-paging');
  const generated = generateHistoryDb(db, { threads: 2, turnsPerThread: SHORT, turnsOfThread: (i) => (i === 0 ? long : SHORT), deltasPerTurn: 3 });
  ctx.log(`row 14: wrote threads of ${long} and ${SHORT} turns in ${Math.round(generated.ms)} ms`);
  const [longId, shortId] = generated.threadIds as [string, string];

  const server = await startServer({ db, profile: profileName(ctx, 'row14-turns-paging') });
  const samples: [number[], number[]] = [[], []];
  const work = async () => {
    for (let n = 0; n < calls + 20; n++) {
      for (const [side, threadId] of [longId, shortId].entries()) {
        const start = performance.now();
        const { turns } = await server.client.request('thread/turns', { threadId, limit: PAGE });
        if (n >= 20) samples[side]!.push(performance.now() - start);
        if (turns.length !== PAGE) throw new Error(`thread/turns returned ${turns.length} turns`);
      }
    }
  };
  await unlessCrashed(server, 'threadline', work());
  await server.close();
  const label = `${long.toLocaleString('en-US')}-turn thread vs ${SHORT}-turn${ctx.quick ? ' (quick)' : ''}`;
  return [row(`14 thread/turns first page p50, ${label}`, percentile(samples[0], 50), 'ms', percentile(samples[1], 50), { atMost: 1.5 })];
}
