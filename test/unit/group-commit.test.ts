import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, GroupCommitter } from '../../src/orchestrator/events.js';
import { openStore } from '../../src/store/store.js';

test('group commit: a backlog that never drains (a request the transport lost) delays a commit, never wedges it', async (t) => {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  const group = new GroupCommitter(store, new EventBus());
  group.backlog = () => 1; // stuck: the bug of issue 10 item 2 left it like this forever
  const outcome = await Promise.race([
    group.run(() => 'committed'),
    new Promise((resolve) => setTimeout(() => resolve('wedged'), 2000)),
  ]);
  assert.equal(outcome, 'committed');
});

test('group commit: jobs that arrive while the backlog drains share one batch', async (t) => {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  const group = new GroupCommitter(store, new EventBus());
  let backlog = 3;
  group.backlog = () => backlog;
  let batches = 0;
  const original = store.write.bind(store);
  store.write = ((fn: () => unknown) => (batches++, original(fn))) as typeof store.write;
  const runs: Promise<number>[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(group.run(() => i));
    await new Promise((resolve) => setImmediate(resolve));
    backlog--;
  }
  assert.deepStrictEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(batches, 1 + 3, 'one transaction with a savepoint per job');
});
