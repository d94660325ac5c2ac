import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { generateHistoryDb } from '../fixtures/history-db.js';
import { spawnPeer, unlessCrashed } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { serverArgs } from '../lib/threadline.js';

const RUNS = 3;

/**
 * Row 9: start-up recovery. A database a killed server left behind — 1k turns `in_progress`
 * (each mid-stream, its thread running) with 10 pending admissions queued behind each (10k) —
 * and the time from spawn to `initialize` answered, median of 3 starts on copies of that file.
 * Checked afterwards: no turn is left in_progress and every admission is still pending.
 */
export async function measureStartupRecovery(ctx: BenchContext): Promise<Row[]> {
  const running = ctx.quick ? 200 : 1_000;
  const pendingPerThread = 10;
  const template = dbPath(ctx, 'recovery-template');
  generateHistoryDb(template, { threads: running, turnsPerThread: 2, deltasPerTurn: 3, inProgressThreads: running, pendingPerThread });
  const times: number[] = [];
  for (let attempt = 0; attempt < RUNS; attempt++) {
    const db = dbPath(ctx, `recovery-${attempt}`);
    copyFileSync(template, db); // each start recovers the same crashed state
    const profile = attempt === 0 ? profileName(ctx, 'row9-recovery') : undefined;
    times.push(await timeRecovery(db, profile, running * pendingPerThread));
  }
  const label = `${running / 1000}k in_progress turns + ${(running * pendingPerThread) / 1000}k pending${ctx.quick ? ' (quick)' : ''}`;
  return [row(`9 start-up recovery → initialize answered (median of ${RUNS}), ${label}`, median(times), 'ms', null, { below: 1000, unit: 'ms' })];
}

/** Spawn → `initialize` answered on a crashed database, then a graceful stop and a check of it. */
async function timeRecovery(db: string, profile: string | undefined, expectedPending: number): Promise<number> {
  const start = performance.now();
  const peer = spawnPeer(serverArgs({ db, profile }));
  peer.connection.listen();
  await unlessCrashed(peer, 'threadline', peer.connection.sendRequest('initialize', { protocolVersion: PROTOCOL_VERSION }));
  const ms = performance.now() - start;
  await unlessCrashed(peer, 'threadline', peer.connection.sendRequest('shutdown'));
  await peer.connection.sendNotification('exit');
  await peer.exited;
  peer.connection.dispose();

  const check = new Database(db, { readonly: true });
  const left = check.prepare("SELECT count(*) AS n FROM turns WHERE status = 'in_progress'").get() as { n: number };
  const pending = check.prepare("SELECT count(*) AS n FROM admissions WHERE state = 'pending'").get() as { n: number };
  check.close();
  if (left.n !== 0 || pending.n !== expectedPending) {
    throw new Error(`after recovery: ${left.n} turns still in_progress, ${pending.n} admissions pending`);
  }
  return ms;
}
