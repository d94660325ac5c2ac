import { startCommitBaseline } from '../lib/commit-baseline.js';
import { profileName, serverDb, type BenchContext } from '../lib/context.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { alternatingRates, sequentialSlice } from '../lib/stats.js';
import { statementsPer } from '../lib/statements.js';
import { startServer } from '../lib/threadline.js';

/**
 * Row 3: whole turns/s on an idle thread — `thread/startTurn` of a one-word echo turn, then
 * `turn/wait` until it completed — at the default `--durability full`; baseline as row 2 (FULL),
 * run in alternating slices with the server. On Postgres, against one INSERT on the same server.
 */
export async function measureIdleTurns(ctx: BenchContext): Promise<Row[]> {
  const bare = await startCommitBaseline(ctx, 'FULL', 'row3');
  const db = await serverDb(ctx, 'idle-turns');
  const server = await startServer({ db, profile: profileName(ctx, 'row3-idle-turns') });
  const { client } = server;
  const { thread } = await client.request('thread/create', { title: 'idle turns' });
  const count = await statementsPer(ctx, db);
  let turns = 0;
  const turn = sequentialSlice(async () => {
    const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello' });
    const { turn: ended } = await client.request('turn/wait', { turnId: turn.id });
    if (ended.status !== 'completed') throw new Error(`turn ended ${ended.status}: ${ended.error}`);
    turns++;
  });
  const [rate = NaN, baseline = NaN] = await unlessCrashed(
    server,
    'threadline',
    unlessCrashed(bare.peer, 'commit-server', alternatingRates(ctx.quick ? 1000 : 3000, [turn, bare.slice])),
  );
  await count('row 3', 'turn', turns);
  await server.close();
  await bare.peer.kill();
  const name = `3 idle-thread turns/s (startTurn + turn/wait, one word)${ctx.postgres ? ', Postgres' : ''}`;
  // At the physical limit, no margin: 2 round trips + 2 fsync'd ~25-frame commits vs 1 + 1 one-frame; zero-CPU floor ≈0.32-0.38× on this disk, ≈0.16× where fsync is cheap (README: Benchmarks).
  return [row(name, rate, 'turns/s', baseline, { atLeast: 0.3 })];
}
