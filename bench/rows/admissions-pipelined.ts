import { startCommitBaseline } from '../lib/commit-baseline.js';
import { profileName, serverDb, type BenchContext } from '../lib/context.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { alternatingRates, concurrentSlice } from '../lib/stats.js';
import { statementsPer } from '../lib/statements.js';
import { startServer } from '../lib/threadline.js';

const CLIENTS = 8;
const IN_FLIGHT = 64;

/**
 * Row 4: pipelined admissions/s at `--durability full`: 8 clients (one thread each, behind a
 * `!hang` turn) keep 64 `thread/startTurn` requests in flight together over the one stdio
 * connection a server has. Baseline: the sequential commit baseline of row 2 at FULL (run in
 * alternating slices), so ≥ 3× needs admissions that arrive together to share one fsync'd
 * transaction (group commit). On Postgres the baseline is one INSERT on the same server.
 */
export async function measurePipelinedAdmissions(ctx: BenchContext): Promise<Row[]> {
  const bare = await startCommitBaseline(ctx, 'FULL', 'row4');
  const db = await serverDb(ctx, 'pipelined');
  const server = await startServer({
    db,
    durability: 'full',
    args: ['--max-queued', '10000000'],
    profile: profileName(ctx, 'row4-pipelined'),
  });
  const { client } = server;
  const threadIds: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const { thread } = await client.request('thread/create', { title: `client ${c}` });
    await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
    threadIds.push(thread.id);
  }
  const count = await statementsPer(ctx, db);
  let admitted = 0;
  const admit = concurrentSlice(IN_FLIGHT, async (lane) => {
    await client.request('thread/startTurn', { threadId: threadIds[lane % CLIENTS]!, prompt: 'queued prompt', delivery: 'queue' });
    admitted++;
  });
  // For reference only (not the baseline): the raw commit server with 64 in flight too,
  // which shows how much of the ratio is pipelining alone, without group commit.
  const params = { threadId: 'thr_baseline', prompt: 'queued prompt' };
  const barePipelined = concurrentSlice(IN_FLIGHT, () => bare.peer.connection.sendRequest('commit', params));
  const [rate = NaN, baseline = NaN, reference = NaN] = await unlessCrashed(
    server,
    'threadline',
    unlessCrashed(bare.peer, 'commit-server', alternatingRates(ctx.quick ? 1000 : 3000, [admit, bare.slice, barePipelined])),
  );
  ctx.log(`row 4: raw commit server with ${IN_FLIGHT} in flight (no group commit): ${Math.round(reference)} req/s = ${(reference / baseline).toFixed(2)}× its sequential rate`);
  await count('row 4', 'admission', admitted);
  await server.close();
  await bare.peer.kill();
  // Not a physical limit: group commit leaves CPU (~0.5 ms an admission now, ~0.25 ms floor) against a 1-2 ms fsync'd commit (README: Benchmarks).
  return [row(`4 pipelined admissions/s (${CLIENTS} clients, ${IN_FLIGHT} in flight, ${ctx.postgres ? 'Postgres' : 'full'})`, rate, 'req/s', baseline, { atLeast: 3 })];
}
