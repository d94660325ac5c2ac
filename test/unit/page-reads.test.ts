import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PageReads } from '../../src/rpc/page-reads.js';

/** A controllable answer: resolves (or fails) when told. */
function deferred() {
  let settle!: (ok: boolean) => void;
  const promise = new Promise<string>((resolve, reject) => (settle = (ok) => (ok ? resolve('page') : reject(new Error('read failed')))));
  return { promise, settle };
}

test('at most `limit` page answers are produced at once; the rest start in arrival order as slots free, also after a failure', async () => {
  const reads = new PageReads(2);
  const started: number[] = [];
  const answers = Array.from({ length: 5 }, () => deferred());
  const results = answers.map((a, i) =>
    reads.run('thread/events', () => {
      started.push(i);
      return a.promise;
    }).catch((e: Error) => e.message),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1]);
  answers[1]!.settle(false); // a failed read frees its slot too
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2]);
  answers[0]!.settle(true);
  answers[2]!.settle(true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  answers[3]!.settle(true);
  answers[4]!.settle(true);
  assert.deepEqual(await Promise.all(results), ['page', 'read failed', 'page', 'page', 'page']);
});

test('requests that do not answer with a page never wait, even with every slot taken (turn/wait may wait for hours)', async () => {
  const reads = new PageReads(1);
  const blocked = deferred();
  void reads.run('thread/list', () => blocked.promise);
  let ran = 0;
  for (const method of ['turn/wait', 'thread/startTurn', 'thread/get', 'initialize']) await reads.run(method, async () => ran++);
  assert.equal(ran, 4);
  let paged = false;
  const waiting = reads.run('thread/turns', async () => (paged = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(paged, false, 'a page request waits for the slot');
  blocked.settle(true);
  await waiting;
  assert.equal(paged, true);
});
