import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb, type GeneratedHistory } from '../fixtures/history-db.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { startServer, type Server } from '../lib/threadline.js';

const SHAPE = { turnsPerThread: 10, deltasPerTurn: 3 }; // ~100 events per thread on both databases

/**
 * Row 7: read latency at scale. `thread/list` (first page), `thread/get` and `thread/events`
 * (the last 100) of random threads, p50 and p99, on a 10k-thread / 100k-turn / 1M-event database
 * against the same calls on a 100-thread one. Both servers run at once and the calls alternate
 * between them, so machine noise lands on both sides.
 */
export async function measureScaleReads(ctx: BenchContext): Promise<Row[]> {
  const threads = ctx.quick ? 1_000 : 10_000;
  const calls = ctx.quick ? 300 : 1000;
  const large = generateHistoryDb(dbPath(ctx, 'scale-large'), { threads, ...SHAPE });
  const small = generateHistoryDb(dbPath(ctx, 'scale-small'), { threads: 100, ...SHAPE });
  ctx.log(`row 7: wrote ${large.threadIds.length} threads / ${large.turns} turns / ${large.events} events in ${Math.round(large.ms)} ms`);
  const servers = [
    await startServer({ db: dbPath(ctx, 'scale-large'), profile: profileName(ctx, 'row7-scale-large') }),
    await startServer({ db: dbPath(ctx, 'scale-small') }),
  ] as const;
  const dbs = [large, small] as const;
  const readCalls = {
    'thread/list first page': (s: Server) => s.client.request('thread/list', {}),
    'thread/get': (s: Server, h: GeneratedHistory, i: number) => s.client.request('thread/get', { threadId: h.threadIds[i]! }),
    'thread/events last 100': (s: Server, h: GeneratedHistory, i: number) =>
      s.client.request('thread/events', { threadId: h.threadIds[i]!, afterSeq: h.lastSeqs[i]! - 100, limit: 100 }),
  };
  const rows: Row[] = [];
  const label = ctx.quick ? `${threads / 1000}k threads (quick)` : `${threads / 1000}k threads`;
  for (const [name, call] of Object.entries(readCalls)) {
    const samples: [number[], number[]] = [[], []];
    const work = async () => {
      for (let n = 0; n < calls + 20; n++) {
        for (const side of [0, 1] as const) {
          const h = dbs[side];
          const i = Math.floor(Math.random() * h.threadIds.length);
          const start = performance.now();
          await call(servers[side], h, i);
          if (n >= 20) samples[side].push(performance.now() - start);
        }
      }
    };
    await unlessCrashed(servers[0], 'threadline (large db)', unlessCrashed(servers[1], 'threadline (small db)', work()));
    for (const p of [50, 99]) {
      rows.push(row(`7 ${name} p${p}, ${label} vs 100`, percentile(samples[0], p), 'ms', percentile(samples[1], p), { atMost: 1.5 }));
    }
  }
  for (const s of servers) await s.close();
  return rows;
}
