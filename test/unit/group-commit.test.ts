import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/orchestrator/commit/event-bus.js';
import { GroupCommitter } from '../../src/orchestrator/commit/group-commit.js';
import { openStore } from '../../src/store/open.js';

test('group commit: a backlog that never drains (a request the transport lost) delays a commit, never wedges it', async (t) => {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  const group = new GroupCommitter(store, new EventBus());
  const stuck = () => 1; // the bug of issue 10 item 2 left the backlog like this forever
  const outcome = await Promise.race([
    group.run(() => 'committed', stuck),
    new Promise((resolve) => setTimeout(() => resolve('wedged'), 2000)),
  ]);
  assert.equal(outcome, 'committed');
});

test('group commit: jobs that arrive while the backlog drains share one batch', async (t) => {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  const group = new GroupCommitter(store, new EventBus());
  let backlog = 3;
  let batches = 0;
  let savepoints = 0;
  const original = store.write.bind(store);
  store.write = ((fn: Parameters<typeof store.write>[0]) =>
    (batches++, original((tx) => fn({ ...tx, savepoint: (inner) => (savepoints++, tx.savepoint(inner)) })))) as typeof store.write;
  const runs: Promise<number>[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(group.run(() => i, () => backlog));
    await new Promise((resolve) => setImmediate(resolve));
    backlog--;
  }
  assert.deepStrictEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(batches, 1, 'one transaction');
  assert.equal(savepoints, 3, 'a savepoint per job');
});
