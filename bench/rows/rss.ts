import Database from 'better-sqlite3';
import type { ThreadEvent } from '@threadline/protocol';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { spawnBaseline, unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { rssMb, sleep } from '../lib/rss.js';
import { startServer } from '../lib/threadline.js';

const SETTLE_MS = 1000;
const WORD = 'x'.repeat(99); // + the separating space: 100 bytes of delta text per word

/**
 * Row 8: the server's RSS (VmRSS from /proc) idle after `initialize`, against a bare node
 * process; and its peak while a client that does not read stdout is sent 100 MB of deltas: one
 * `!repeat` turn with `!word-delay 0`, stdout paused from the startTurn answer until the turn
 * has ended in the database (polled read-only), then read to the end.
 */
export async function measureRss(ctx: BenchContext): Promise<Row[]> {
  const bare = spawnBaseline('idle-node');
  await sleep(SETTLE_MS);
  const bareRss = rssMb(bare.pid);
  await bare.kill();
  if (bareRss === undefined) throw new Error('could not read the RSS of a bare node process');

  const db = dbPath(ctx, 'rss');
  const idle = await startServer({ db });
  await sleep(SETTLE_MS);
  const idleRss = rssMb(idle.pid)!;
  await idle.close();

  const megabytes = ctx.quick ? 20 : 100;
  const words = (megabytes * 1_000_000) / (WORD.length + 1);
  const server = await startServer({ db, profile: profileName(ctx, 'row8-rss-stream') });
  const { client } = server;
  const { thread } = await client.request('thread/create', { title: 'unread stdout' });
  let liveBytes = 0;
  const seen = new Set<number>();
  let completed: (end: { seq: number; status: string; error?: string }) => void = () => {};
  const turnCompleted = new Promise<{ seq: number; status: string; error?: string }>((resolve) => (completed = resolve));
  client.onEvent((event: ThreadEvent) => {
    if (event.threadId !== thread.id) return;
    seen.add(event.seq);
    if (event.kind === 'item.delta') liveBytes += event.payload.text.length;
    if (event.kind === 'turn.completed') completed({ seq: event.seq, ...event.payload.turn });
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid) ?? 0)), 25);
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  const status = reader.prepare<[string], { status: string }>('SELECT status FROM turns WHERE id = ?');

  const { turn } = await client.request('thread/startTurn', {
    threadId: thread.id,
    prompt: `!word-delay 0\n!repeat ${words}\n${WORD}`,
  });
  server.child.stdout!.pause();
  const pausedAt = performance.now();
  const limitMs = ctx.quick ? 30_000 : 120_000;
  while (status.get(turn.id)?.status === 'in_progress' && performance.now() - pausedAt < limitMs) {
    if (server.child.exitCode !== null) throw new Error(`threadline exited while streaming:\n${server.stderr()}`);
    await sleep(50);
  }
  const endedInDb = status.get(turn.id)?.status !== 'in_progress';
  await sleep(500);
  const peakPaused = peak;
  ctx.log(
    `row 8: ${endedInDb ? `turn ended in the db ${Math.round(performance.now() - pausedAt - 500)} ms after the pause` : `turn still running after ${limitMs} ms (server stalled)`}; peak RSS while unread ${Math.round(peakPaused)} MB`,
  );
  server.child.stdout!.resume();
  const ended = await unlessCrashed(server, 'threadline', turnCompleted);
  clearInterval(sampler);
  // A server may skip live deltas to a client that does not read: such a client sees a seq gap
  // and fetches it with thread/events, as this one does. All the text must be reachable.
  let fetchedBytes = 0;
  for (let seq = 1; seq <= ended.seq; seq++) {
    if (seen.has(seq)) continue;
    const page = await client.request('thread/events', { threadId: thread.id, afterSeq: seq - 1, limit: 50 });
    for (const e of page.events) {
      if (seen.has(e.seq)) continue;
      seen.add(e.seq);
      if (e.kind === 'item.delta') fetchedBytes += (e.payload as { text: string }).text.length;
    }
  }
  reader.close();
  await server.close();
  const deltaBytes = liveBytes + fetchedBytes;
  if (ended.status !== 'completed' || deltaBytes < megabytes * 1_000_000) {
    throw new Error(`the turn ended ${ended.status} (${ended.error ?? 'no error'}) after ${deltaBytes} bytes of deltas`);
  }
  ctx.log(
    `row 8: ${Math.round(liveBytes / 1e6)} MB of deltas delivered live, ${Math.round(fetchedBytes / 1e6)} MB fetched from the gap with thread/events; peak RSS overall ${Math.round(peak)} MB`,
  );
  return [
    row('8 RSS idle after initialize', idleRss, 'MB', bareRss, { atMost: 2 }),
    row(`8 peak RSS, client not reading ${megabytes} MB of deltas${ctx.quick ? ' (quick)' : ''}`, peakPaused, 'MB', bareRss, { below: 200, unit: 'MB' }),
  ];
}
