import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchRunner, createCommitter } from '../../src/orchestrator/commit/commit.js';
import { EventBus } from '../../src/orchestrator/commit/event-bus.js';
import { GroupCommitter } from '../../src/orchestrator/commit/group-commit.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';

function openMemoryStore(t: { after: (fn: () => Promise<void>) => void }): Store {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  return store;
}

const newThread = (id: string) => ({ id, title: id, autoApprove: false, trustMode: false, metadata: {}, now: new Date().toISOString() });

test('group commit: a backlog that never drains (a request the transport lost) delays a commit, never wedges it', async (t) => {
  const store = openMemoryStore(t);
  const group = new GroupCommitter(new BatchRunner(store, new EventBus()));
  const stuck = () => 1; // the bug of issue 10 item 2 left the backlog like this forever
  const outcome = await Promise.race([
    group.run(async () => 'committed', stuck),
    new Promise((resolve) => setTimeout(() => resolve('wedged'), 2000)),
  ]);
  assert.equal(outcome, 'committed');
});

test('group commit: jobs that arrive while the backlog drains share one batch', async (t) => {
  const store = openMemoryStore(t);
  const group = new GroupCommitter(new BatchRunner(store, new EventBus()));
  let backlog = 3;
  let batches = 0;
  let savepoints = 0;
  const original = store.write.bind(store);
  store.write = ((fn: Parameters<typeof store.write>[0]) =>
    (batches++, original((tx) => fn({ ...tx, savepoint: (inner) => (savepoints++, tx.savepoint(inner)) })))) as typeof store.write;
  const runs: Promise<number>[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(group.run(async () => i, () => backlog));
    await new Promise((resolve) => setImmediate(resolve));
    backlog--;
  }
  assert.deepStrictEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(batches, 1, 'one transaction');
  assert.equal(savepoints, 3, 'a savepoint per job');
});

test('commits run one at a time; each publishes its events before the next begins, in seq order', async (t) => {
  const store = openMemoryStore(t);
  const bus = new EventBus();
  const commit = createCommitter(new BatchRunner(store, bus));
  const seen: string[] = [];
  bus.subscribe((event) => seen.push(`${event.threadId}:${event.seq}`));
  await commit(async (tx) => tx.threads.insert(newThread('thr_a')));
  const order: string[] = [];
  const writes = [1, 2, 3].map((n) =>
    commit(async (tx) => {
      order.push(`begin ${n} after ${seen.length} published`);
      await tx.emit('thr_a', 'thread.updated', { thread: (await tx.threads.find('thr_a'))! });
      await tx.emit('thr_a', 'thread.updated', { thread: (await tx.threads.find('thr_a'))! });
    }),
  );
  await Promise.all(writes);
  assert.deepStrictEqual(order, ['begin 1 after 0 published', 'begin 2 after 2 published', 'begin 3 after 4 published']);
  assert.deepStrictEqual(seen, ['thr_a:1', 'thr_a:2', 'thr_a:3', 'thr_a:4', 'thr_a:5', 'thr_a:6']);
});

test('a caller awaiting its commit resumes before the next transaction begins', async (t) => {
  const store = openMemoryStore(t);
  const commit = createCommitter(new BatchRunner(store, new EventBus()));
  const steps: string[] = [];
  const first = (async () => {
    await commit(async () => steps.push('tx 1'));
    steps.push('after tx 1'); // what a caller does at once (register the turn it began) is not overtaken
  })();
  const second = commit(async () => steps.push('tx 2'));
  await Promise.all([first, second]);
  assert.deepStrictEqual(steps, ['tx 1', 'after tx 1', 'tx 2']);
});

test('a rolled-back operation runs its undos, and publishes nothing; a batch neighbour still commits', async (t) => {
  const store = openMemoryStore(t);
  const bus = new EventBus();
  const batches = new BatchRunner(store, bus);
  const published: number[] = [];
  bus.subscribe((event) => published.push(event.seq));
  let undone = 0;
  const failing = batches.run([
    {
      fn: async (tx) => {
        await tx.threads.insert(newThread('thr_x'));
        tx.onRollback(() => undone++);
        throw new Error('refused');
      },
      settle: () => {},
    },
  ]);
  await failing;
  assert.equal(undone, 1);
  assert.equal(await store.read(async (tx) => tx.threads.find('thr_x')), undefined);
  // In a batch of two, the failing job's savepoint rolls back alone.
  const outcomes: boolean[] = [];
  await batches.run([
    { fn: async (tx) => { await tx.threads.insert(newThread('thr_ok')); }, settle: (o) => outcomes.push(o.ok) },
    { fn: async (tx) => { tx.onRollback(() => undone++); throw new Error('no'); }, settle: (o) => outcomes.push(o.ok) },
  ]);
  assert.deepStrictEqual(outcomes, [true, false]);
  assert.equal(undone, 2);
  assert.equal((await store.read(async (tx) => tx.threads.find('thr_ok')))?.id, 'thr_ok');
  assert.deepStrictEqual(published, []);
});
