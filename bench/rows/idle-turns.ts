import { startCommitBaseline, startTurnFloor } from '../lib/commit-baseline.js';
import { profileName, serverDb, type BenchContext } from '../lib/context.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { alternatingRates, sequentialSlice } from '../lib/stats.js';
import { statementsPer } from '../lib/statements.js';
import { startServer } from '../lib/threadline.js';

/**
 * Row 3: whole turns/s on an idle thread — `thread/startTurn` of a one-word echo turn, then
 * `turn/wait` until it completed — at the default `--durability full`; baseline as row 2 (FULL),
 * run in alternating slices with the server, and a third: bench/baselines/turn-floor-server.ts,
 * which makes only the writes a turn must (its two commits, on Threadline's schema) — the row
 * compares against it. On Postgres, against one INSERT on the same server.
 */
export async function measureIdleTurns(ctx: BenchContext): Promise<Row[]> {
  const bare = await startCommitBaseline(ctx, 'FULL', 'row3');
  const floor = ctx.postgres ? undefined : startTurnFloor(ctx, 'FULL', 'row3');
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
  let rates = alternatingRates(ctx.quick ? 1000 : 3000, floor ? [turn, bare.slice, floor.slice] : [turn, bare.slice]);
  if (floor) rates = unlessCrashed(floor.peer, 'turn-floor-server', rates);
  const [rate = NaN, baseline = NaN, floorRate = NaN] = await unlessCrashed(server, 'threadline', unlessCrashed(bare.peer, 'commit-server', rates));
  if (floor) {
    ctx.log(`row 3: the same writes done raw (turn-floor-server) ${floorRate.toFixed(0)} turns/s = ${(floorRate / baseline).toFixed(2)}× the baseline; Threadline ${(rate / floorRate).toFixed(2)}× of it`);
    await floor.peer.kill();
  }
  await count('row 3', 'turn', turns);
  await server.close();
  await bare.peer.kill();
  if (floor) {
    // 0.3× of a one-row commit is past the physical limit: the two commits a turn must make, done
    // raw, reach 0.2-0.25× of it. The goal is 0.6× of that floor, measured in the same run.
    return [row('3 idle-thread turns/s (startTurn + turn/wait, one word), vs its writes done raw', rate, 'turns/s', floorRate, { atLeast: 0.6 })];
  }
  return [row('3 idle-thread turns/s (startTurn + turn/wait, one word), Postgres', rate, 'turns/s', baseline, { atLeast: 0.3 })];
}
