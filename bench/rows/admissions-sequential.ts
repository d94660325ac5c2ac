import { startCommitBaseline } from '../lib/commit-baseline.js';
import { profileName, serverDb, type BenchContext } from '../lib/context.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { alternatingRates, sequentialSlice } from '../lib/stats.js';
import { statementsPer } from '../lib/statements.js';
import { startServer } from '../lib/threadline.js';

/**
 * Row 2: sequential `thread/startTurn` admissions/s, each queued (`delivery: "queue"`) behind a
 * running `!hang` turn, at `--durability full` and `normal`; baseline: one request + one
 * single-row commit at the same `synchronous`, run in alternating slices with the server.
 * `--max-queued` is raised so the queue never fills. On Postgres (`--db postgres`) durability is
 * the database server's own: one row, against one INSERT committed on the same server.
 */
export async function measureSequentialAdmissions(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const durability of ctx.postgres ? (['full'] as const) : (['full', 'normal'] as const)) {
    const bare = await startCommitBaseline(ctx, durability === 'full' ? 'FULL' : 'NORMAL', `row2-${durability}`);
    const db = await serverDb(ctx, `admissions-${durability}`);
    const server = await startServer({
      db,
      durability,
      args: ['--max-queued', '10000000'],
      profile: profileName(ctx, `row2-admissions-${durability}`),
    });
    const { client } = server;
    const { thread } = await client.request('thread/create', { title: 'admissions' });
    await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
    const count = await statementsPer(ctx, db);
    let admitted = 0;
    const admit = sequentialSlice(async () => {
      await client.request('thread/startTurn', { threadId: thread.id, prompt: 'queued prompt', delivery: 'queue' });
      admitted++;
    });
    const [rate = NaN, baseline = NaN] = await unlessCrashed(
      server,
      'threadline',
      unlessCrashed(bare.peer, 'commit-server', alternatingRates(ctx.quick ? 1000 : 3000, [admit, bare.slice])),
    );
    await count('row 2', 'admission', admitted);
    await server.close();
    await bare.peer.kill();
    const name = ctx.postgres ? '2 sequential admissions/s, Postgres' : `2 sequential admissions/s, --durability ${durability}`;
    // Not a physical limit: an admission's floor (trivial request 0.30 ms + 7.3-frame commit 0.22 ms, normal) is ~0.65-0.8× (README: Benchmarks).
    rows.push(row(name, rate, 'req/s', baseline, { atLeast: 0.6 }));
  }
  return rows;
}
