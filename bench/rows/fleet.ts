import type { BenchContext } from '../lib/context.js';
import { profileName } from '../lib/context.js';
import { startCommitBaseline } from '../lib/commit-baseline.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { concurrentSlice } from '../lib/stats.js';
import { statementsPer } from '../lib/statements.js';
import { startServer, type Server } from '../lib/threadline.js';
import { sampleFleet } from './fleet-sampler.js';

const THREADS = 100;
/** Requests each server has in flight (its clients' sequential loops). */
const IN_FLIGHT = 8;
const FLEETS = [1, 2, 4];

/**
 * Row 15 (Postgres only): N = 1, 2, 4 servers on one Postgres database sharing 100 threads,
 * each thread behind a `!hang` turn (run by the first server), every server admitting queued
 * prompts (`delivery: "queue"`) to all 100 threads in turn with 8 requests in flight, all at
 * once. Admissions/s in total, and per server in the log. N = 1 is compared with the raw
 * sequential commit baseline (one request + one INSERT on the same server); N = 2 and 4 with
 * N = 1's total: how the fleet scales (≥ 1×: adding a server does not lower the total).
 * Every figure shares the machine's cores with Postgres and the bench's own client.
 */
export async function measureFleet(ctx: BenchContext): Promise<Row[]> {
  const pg = ctx.postgres;
  if (!pg) return [];
  const ms = ctx.quick ? 1500 : 4000;
  const bare = await startCommitBaseline(ctx, 'FULL', 'row15');
  const baseline = await unlessCrashed(bare.peer, 'commit-server', bare.slice(500).then(() => bare.slice(ms)));
  await bare.peer.kill();
  const baselineRate = baseline.count / (baseline.ms / 1000);

  const rows: Row[] = [];
  let single = NaN;
  for (const n of FLEETS) {
    const db = await pg.database(`fleet_${n}`);
    const servers: Server[] = [];
    try {
      for (let s = 0; s < n; s++) {
        servers.push(await startServer({ db, args: ['--max-queued', '10000000'], profile: profileName(ctx, `row15-fleet${n}-server${s}`) }));
      }
      const threadIds: string[] = [];
      const first = servers[0]!.client;
      for (let t = 0; t < THREADS; t++) {
        const { thread } = await first.request('thread/create', { title: `fleet ${t}` });
        await first.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
        threadIds.push(thread.id);
      }
      // Server s's lane l walks all threads from its own offset, so servers meet on threads now and then.
      let retried = 0;
      const slices = servers.map((server, s) => {
        const next = Array.from({ length: IN_FLIGHT }, (_, lane) => (s * 37 + lane * 13) % THREADS);
        return concurrentSlice(IN_FLIGHT, async (lane) => {
          const threadId = threadIds[next[lane]!]!;
          next[lane] = (next[lane]! + 1) % THREADS;
          // As a client of a fleet does: a call answered retryable (-32030, e.g. a deadlock between
          // two servers' group commits, broken by Postgres) committed nothing and is sent again.
          for (;;) {
            try {
              return await server.client.request('thread/startTurn', { threadId, prompt: 'queued prompt', delivery: 'queue' });
            } catch (error) {
              if ((error as { data?: { retryable?: unknown } }).data?.retryable !== true) throw error;
              retried++;
            }
          }
        });
      });
      const all = (sliceMs: number) => Promise.all(slices.map((slice) => slice(sliceMs)));
      const guarded = <T>(work: Promise<T>) => servers.reduce((w, server, s) => unlessCrashed(server, `threadline ${s}`, w), work);
      await guarded(all(500)); // warm-up: every connection of every pool opened, statements prepared
      const count = await statementsPer(ctx, db);
      const sampled = await sampleFleet(db, servers.map((server) => server.pid));
      const results = await guarded(all(ms));
      const where = await sampled();
      const perServer = results.map((r) => r.count / (r.ms / 1000));
      const total = perServer.reduce((a, b) => a + b, 0);
      await count('row 15', `admission (N = ${n})`, results.reduce((a, r) => a + r.count, 0));
      ctx.log(`row 15: N = ${n}: ${Math.round(total)} admissions/s in total, per server ${perServer.map((r) => Math.round(r)).join(', ')}; ${retried} calls answered retryable and sent again`);
      if (where) ctx.log(`row 15: N = ${n}: ${where}`);
      if (n === 1) {
        single = total;
        rows.push(row(`15 fleet: 1 server, ${THREADS} threads, ${IN_FLIGHT} in flight, admissions/s`, total, 'req/s', baselineRate, { atLeast: 0.6 }));
      } else {
        rows.push(row(`15 fleet: ${n} servers on one Postgres, ${THREADS} threads, ${IN_FLIGHT} in flight each, admissions/s in total (vs 1 server)`, total, 'req/s', single, { atLeast: 1 }));
      }
    } finally {
      for (const server of servers) await server.close();
    }
  }
  return rows;
}
