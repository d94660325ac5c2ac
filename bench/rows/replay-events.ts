import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { BASELINES_DIST } from '../lib/paths.js';
import { unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { startServer } from '../lib/threadline.js';

const PAGE = 10_000; // the largest page thread/events allows

/**
 * Row 6: replay of one thread's whole log with `thread/events` pages of 10k, events/s received
 * by the client. Baseline: the same pages read in-process with SELECT + JSON.stringify (run
 * before and after the server; the mean of the two counts).
 */
export async function measureReplay(ctx: BenchContext): Promise<Row[]> {
  const events = ctx.quick ? 100_000 : 1_000_000;
  const db = dbPath(ctx, 'replay');
  const generated = generateHistoryDb(db, { threads: 1, turnsPerThread: Math.round(events / 10), deltasPerTurn: 3 });
  const threadId = generated.threadIds[0]!;
  ctx.log(`row 6: wrote ${generated.events} events of one thread in ${Math.round(generated.ms)} ms`);

  // The baseline runs before and after the server (their mean counts): the disk cache and the
  // machine's load then weigh on both sides alike.
  const runBaseline = () => {
    const out = execFileSync(process.execPath, [join(BASELINES_DIST, 'select-stringify.cjs'), db, threadId, String(PAGE)], { encoding: 'utf8' });
    return JSON.parse(out) as { events: number; ms: number };
  };
  const before = runBaseline();

  const server = await startServer({ db, profile: profileName(ctx, 'row6-replay') });
  const replay = async () => {
    let received = 0;
    for (let after = 0; ; ) {
      const page = await server.client.request('thread/events', { threadId, afterSeq: after, limit: PAGE });
      if (page.events.length === 0) return received;
      received += page.events.length;
      after = page.events[page.events.length - 1]!.seq;
    }
  };
  const start = performance.now();
  const received = await unlessCrashed(server, 'threadline', replay());
  const rate = received / ((performance.now() - start) / 1000);
  await server.close();
  const after = runBaseline();
  const baseline = (before.events + after.events) / ((before.ms + after.ms) / 1000);
  if (received !== generated.events || before.events !== generated.events) {
    throw new Error(`replay returned ${received} events (baseline ${before.events}), expected ${generated.events}`);
  }
  const label = ctx.quick ? `${Math.round(generated.events / 1000)}k events (quick)` : `${(generated.events / 1e6).toFixed(0)}M events`;
  return [row(`6 replay thread/events, ${label}, pages of 10k`, rate, 'events/s', baseline, { atLeast: 0.5 })];
}
