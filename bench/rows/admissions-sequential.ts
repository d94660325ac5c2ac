import { startAdmissionFloor, startCommitBaseline } from '../lib/commit-baseline.js';
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
 * `--max-queued` is raised so the queue never fills. A third server in the same slices,
 * bench/baselines/admission-floor-server.ts, does only the writes an admission must (on
 * Threadline's schema): at `normal` the row compares against it, since the one-row commit's 0.6×
 * is past what those writes allow. On Postgres (`--db postgres`) durability is the database
 * server's own: one row, against one INSERT committed on the same server.
 */
export async function measureSequentialAdmissions(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const durability of ctx.postgres ? (['full'] as const) : (['full', 'normal'] as const)) {
    const synchronous = durability === 'full' ? 'FULL' : 'NORMAL';
    const bare = await startCommitBaseline(ctx, synchronous, `row2-${durability}`);
    const floor = ctx.postgres ? undefined : startAdmissionFloor(ctx, synchronous, `row2-${durability}`);
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
    const slices = floor ? [admit, bare.slice, floor.slice] : [admit, bare.slice];
    let rates = alternatingRates(ctx.quick ? 1000 : 3000, slices);
    if (floor) rates = unlessCrashed(floor.peer, 'admission-floor-server', rates);
    const [rate = NaN, baseline = NaN, floorRate = NaN] = await unlessCrashed(server, 'threadline', unlessCrashed(bare.peer, 'commit-server', rates));
    if (floor) {
      ctx.log(`row 2 (${durability}): the same writes done raw (admission-floor-server) ${floorRate.toFixed(0)} req/s = ${(floorRate / baseline).toFixed(2)}× the baseline; Threadline ${(rate / floorRate).toFixed(2)}× of it`);
      await floor.peer.kill();
    }
    await count('row 2', 'admission', admitted);
    await server.close();
    await bare.peer.kill();
    if (floor && durability === 'normal') {
      // 0.6× of a one-row commit is past the physical limit here: the same writes done raw reach
      // only 0.45-0.50× of it. The goal is 0.6× of that floor, measured in the same run.
      rows.push(row('2 sequential admissions/s, --durability normal, vs its writes done raw', rate, 'req/s', floorRate, { atLeast: 0.6 }));
    } else {
      const name = ctx.postgres ? '2 sequential admissions/s, Postgres' : `2 sequential admissions/s, --durability ${durability}`;
      // Within reach at full: the same writes done raw reach 0.75-0.85× of the one-row commit.
      rows.push(row(name, rate, 'req/s', baseline, { atLeast: 0.6 }));
    }
  }
  return rows;
}
