import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueFullError, StorageError, type ThreadlineClient } from '@threadline/protocol';
import { postgresOfFile } from '../helpers/postgres.js';
import { eventually } from '../helpers/processes.js';
import { newThread, startServer } from '../helpers/server.js';

// Issue 16, faults: the database restarts (`pg_ctl restart -m immediate`: a crash, as far as its
// clients can tell) in the middle of a queue load from two servers that claim different machines.
// No acknowledged admission is lost (the test server keeps synchronous_commit on, as a real one
// does), and every turn ends — completed, failed or interrupted — none stuck in_progress while
// its owner lives. This test restarts a server of its own, so it runs whenever PostgreSQL is
// installed, whatever THREADLINE_TEST_DB says.
const own = postgresOfFile();
const missing = own.missing;

const THREADS = 6;

interface Acknowledged {
  threadId: string;
  turnId?: string;
  admissionId?: string;
}

/** Admits prompts round-robin until `stop()`; returns what was acknowledged. Refusals are allowed. */
function load(client: ThreadlineClient, threadIds: string[], tag: string) {
  const acknowledged: Acknowledged[] = [];
  const refused: string[] = [];
  let stopped = false;
  const worker = async (w: number) => {
    for (let i = 0; !stopped; i++) {
      const threadId = threadIds[(i + w) % threadIds.length]!;
      try {
        const r = await client.request('thread/startTurn', { threadId, prompt: `${tag} ${w}.${i}`, delivery: 'queue' });
        acknowledged.push({ threadId, ...(r.queued ? { admissionId: r.queued.id } : { turnId: r.turn.id }) });
      } catch (error) {
        // The database restarting: -32030 retryable, nothing acknowledged — also when it went away
        // while the engine loaded its history (that turn ends `failed`, checked below like every
        // turn). A full queue: refused, nothing kept. Anything else (a -32020 HostError) is a bug.
        if (error instanceof QueueFullError) {
          refused.push('queue full');
          continue;
        }
        if (!(error instanceof StorageError)) throw error;
        assert.equal(error.data?.retryable, true, `a storage failure mid-restart must be retryable: ${error.message}`);
        refused.push('storage retryable');
      }
    }
  };
  const done = Promise.all([0, 1, 2].map(worker));
  return { acknowledged, refused, stop: async () => ((stopped = true), await done) };
}

test('pg_ctl restart -m immediate in the middle of a queue load from two machines: no acknowledged admission lost, every turn ends', { skip: missing, timeout: 180_000 }, async (t) => {
  const url = await own.server.createDatabase();
  const a = await startServer(t, { dbPath: url, args: ['--machine-id', 'machine-a', '--lease-ttl', '3'], allowErrorLogs: true });
  const b = await startServer(t, { dbPath: url, args: ['--machine-id', 'machine-b', '--lease-ttl', '3'], allowErrorLogs: true });
  const threadIds: string[] = [];
  for (let i = 0; i < THREADS; i++) threadIds.push((await newThread(i % 2 ? b.client : a.client, { title: `load ${i}` })).id);

  const loads = [load(a.client, threadIds, 'a'), load(b.client, threadIds, 'b')];
  const acknowledgedBefore = () => loads.reduce((n, l) => n + l.acknowledged.length, 0);
  await eventually(() => acknowledgedBefore() >= 30, 'the load got going', 60_000);
  own.server.pgCtl('restart', '-m', 'immediate', '-w', '-t', '60');
  const atRestart = acknowledgedBefore();
  // Load goes on until both servers have admitted again after the restart.
  await eventually(() => acknowledgedBefore() >= atRestart + 20, 'admissions after the restart', 90_000);
  await Promise.all(loads.map((l) => l.stop()));
  const acknowledged = loads.flatMap((l) => l.acknowledged);
  t.diagnostic(`${acknowledged.length} acknowledged (${atRestart} before the restart); refused: ${loads.flatMap((l) => l.refused).length}`);

  // Every turn ends: none in_progress once the servers have worked through their queues.
  const turnsOf = async (threadId: string) => (await a.client.request('thread/get', { threadId, includeTurns: true })).turns ?? [];
  let statuses: string[] = [];
  const deadline = Date.now() + 90_000;
  for (;;) {
    statuses = [];
    for (const threadId of threadIds) statuses.push(...(await turnsOf(threadId)).map((turn) => turn.status));
    if (!statuses.includes('in_progress')) break;
    assert.ok(Date.now() < deadline, `turns still in_progress: ${statuses.filter((s) => s === 'in_progress').length}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // turns end on their own; no event spans two servers' threads
  }
  assert.ok(statuses.every((s) => ['completed', 'failed', 'interrupted', 'superseded'].includes(s)), statuses.join(','));
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  t.diagnostic(`turns: ${[...counts].map(([s, n]) => `${s} ${n}`).join(', ')}`);

  // No acknowledged admission lost: each started turn exists; each queued admission is in its thread's log.
  for (const threadId of threadIds) {
    const turnIds = new Set((await turnsOf(threadId)).map((turn) => turn.id));
    const { events } = await b.client.request('thread/events', { threadId, afterSeq: 0, limit: 10_000 });
    const logged = JSON.stringify(events);
    assert.deepStrictEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq gap-free across the restart');
    for (const ack of acknowledged.filter((x) => x.threadId === threadId)) {
      if (ack.turnId) assert.ok(turnIds.has(ack.turnId), `acknowledged turn ${ack.turnId} lost`);
      else assert.ok(logged.includes(ack.admissionId!), `acknowledged admission ${ack.admissionId} lost`);
    }
  }
});
