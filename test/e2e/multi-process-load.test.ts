import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionNotFoundError, ThreadLeasedError, type ThreadEvent, type ThreadlineClient } from '@threadline/protocol';
import { eventually } from '../helpers/processes.js';
import { newThread, startServer, type TestServer } from '../helpers/server.js';
import { Checker, checkStore } from '../torture/invariants.js';
import { Ledger } from '../torture/ledger.js';
import { Load } from '../torture/load.js';
import { Rng } from '../torture/rng.js';
import { onPostgres, testDb } from '../helpers/test-db.js';

// Issue 5 §1: two and four servers on one database file, their clients hammering the same
// threads (start, queue, steer, edit, interrupt, drain, cancel, wait; echo with small delays).
// Afterwards every invariant of the torture holds, and each subscriber saw every event of its
// threads exactly once, in order. THREADLINE_LOAD_SEED replays a run.

const THREADS = 3;
const ARGS = ['--log-level', 'warn', '--max-queued', '20'];
/**
 * On Postgres (THREADLINE_TEST_DB=postgres) each server claims a machine of its own: no server
 * judges another's pid, so a killed one's threads are taken over once its (short) lease expires.
 */
const machine = (i: number): string[] => (onPostgres ? ['--machine-id', `load-machine-${i}`, '--lease-ttl', '2'] : []);

for (const [servers, loadMs, killOne] of [[2, 2000, false], [4, 2000, true]] as const) {
  const kill = killOne ? ', one of them killed -9 midway (the others take its threads over)' : '';
  test(`${servers} servers on one database hammering the same threads${kill}: seq gap-free, one running turn per thread, every acknowledged admission kept, none promoted twice, every subscriber saw every event once in order`, { timeout: 120_000 }, async (t) => {
    const seed = Number(process.env.THREADLINE_LOAD_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed} (replay: THREADLINE_LOAD_SEED=${seed})`);
    const rng = new Rng(seed);
    const first = await startServer(t, { args: [...ARGS, ...machine(0)] });
    const all: TestServer[] = [first];
    for (let i = 1; i < servers; i++) all.push(await startServer(t, { dbPath: first.dbPath, args: [...ARGS, ...machine(i)] }));
    const ledger = new Ledger();
    const threadIds: string[] = [];
    for (let i = 0; i < THREADS; i++) threadIds.push((await newThread(first.client, { title: `shared ${i}` })).id);
    for (const id of threadIds) ledger.threads.add(id);

    const violations: string[] = [];
    const subscribers = await Promise.all(all.map((server, i) => subscribeAll(server.client, threadIds, new Load(server.client, ledger, rng.fork(i), violations, false))));
    const running = subscribers.map(({ load }) => load.run(2));
    const survivors = [...all];
    if (killOne) {
      await new Promise((resolve) => setTimeout(resolve, loadMs / 2));
      const victim = subscribers.length - 1;
      subscribers[victim]!.load.stop(); // its calls in flight fail with the connection: not violations
      await all[victim]!.kill();
      all[victim]!.client.dispose(); // rejects what was still in flight
      survivors.pop();
      await running[victim];
      subscribers.pop();
      await new Promise((resolve) => setTimeout(resolve, loadMs / 2));
    } else {
      await new Promise((resolve) => setTimeout(resolve, loadMs));
    }
    for (const { load } of subscribers) load.stop();
    await Promise.all(running);
    assert.deepStrictEqual(violations, [], `seed ${seed}`);
    const operations = subscribers.reduce((n, { load }) => n + load.stats.operations, 0);
    const leased = subscribers.reduce((n, { load }) => n + (load.stats.codes[-32040] ?? 0), 0);
    t.diagnostic(`${operations} operations, ${leased} answered -32040`);
    assert.ok(leased > 0, 'the servers contended for the same threads');

    await quiesce(survivors, threadIds);
    for (const threadId of threadIds) {
      const log = await fullLog(first.client, threadId);
      assert.deepStrictEqual(log.map((e) => e.seq), Array.from({ length: log.length }, (_, i) => i + 1), `seed ${seed}: thread ${threadId} seq is 1..lastSeq`);
      for (const [i, { received }] of subscribers.entries()) {
        const seen = received.get(threadId)!;
        await eventually(() => seen.length >= log.length, `server ${i} saw thread ${threadId} up to seq ${log.length} (has ${seen.at(-1)?.seq})`);
        assert.deepStrictEqual(seen, log, `seed ${seed}: subscriber ${i} saw every event of ${threadId} exactly once, in order`);
      }
    }
    const checker = new Checker(() => `seed ${seed}`);
    await checkStore(await testDb(first.dbPath), ledger, checker, 'recovered');
    assert.deepStrictEqual(checker.failures, []);
    t.diagnostic(`${checker.passed} invariant checks passed`);
  });
}

/** Subscribes to every thread from seq 0 (backlog, then live) and records per thread what arrives. */
async function subscribeAll(client: ThreadlineClient, threadIds: string[], load: Load) {
  const received = new Map<string, ThreadEvent[]>();
  client.onEvent((event) => {
    const list = received.get(event.threadId);
    if (!list) return; // before its subscription: this process's own events only
    list.push(event);
    load.observe(event);
  });
  for (const threadId of threadIds) {
    const { events } = await client.request('thread/subscribe', { threadId, afterSeq: 0 });
    const backlog = events as ThreadEvent[]; // the schema's output type is the same record
    received.set(threadId, [...backlog]);
    for (const event of backlog) load.observe(event);
  }
  return { received, load };
}

/**
 * Brings every thread to rest: interrupts (keeping queues) whatever still runs, from whichever
 * process owns it, and cancels what an idle thread still has pending, until one round finds every
 * thread idle with an empty inbox. An idle thread with pending admissions is not at rest: when a
 * turn ends completed its owner promotes the next one in a transaction of its own, just after
 * (PROTOCOL.md §4.1), and a log read in between would miss that turn's events.
 */
async function quiesce(servers: TestServer[], threadIds: string[]): Promise<void> {
  const { client } = servers[0]!;
  for (let round = 0; ; round++) {
    if (round > 100) throw new Error('the threads do not come to rest');
    let busy = false;
    for (const threadId of threadIds) {
      const { thread, queued } = await client.request('thread/get', { threadId });
      if (thread.archived) await client.request('thread/unarchive', { threadId });
      if (thread.status === 'running') {
        busy = true;
        for (const server of servers) {
          await server.client.request('thread/interrupt', { threadId, keepQueued: true }).catch((error: unknown) => {
            if (!(error instanceof ThreadLeasedError)) throw error;
          });
        }
        continue;
      }
      for (const admission of queued) {
        busy = true;
        // Promoted meanwhile by its owner: the next round interrupts its turn.
        await client.request('thread/cancelQueued', { threadId, admissionId: admission.id }).catch((error: unknown) => {
          if (!(error instanceof AdmissionNotFoundError)) throw error;
        });
      }
    }
    if (!busy) return;
  }
}

async function fullLog(client: ThreadlineClient, threadId: string): Promise<ThreadEvent[]> {
  const out: ThreadEvent[] = [];
  for (;;) {
    const { events, lastSeq } = await client.request('thread/events', { threadId, afterSeq: out.length, limit: 10_000 });
    out.push(...(events as ThreadEvent[]));
    if (out.length >= lastSeq || events.length === 0) return out;
  }
}

