import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadEvent } from '@threadline/protocol';
import { EventBus } from '../../src/orchestrator/commit/event-bus.js';
import { InterruptRequestWatcher } from '../../src/orchestrator/operations/interrupt-request.js';
import type { OperationDeps } from '../../src/orchestrator/operations/deps.js';

// A server running turns reads other servers' commits to those threads' logs (for interrupt
// requests). A fleet commits far faster than one such read: polls that arrive while a read is
// waiting to run must fold into it, not each queue a read of every running thread (unbounded).
test('other processes\' commits arriving during a read fold into one next read, not one read each', async () => {
  const bus = new EventBus();
  let notify: () => void = () => {};
  let reads = 0;
  let release: () => void = () => {};
  const d = {
    bus,
    otherProcessCommits: { watch: (listener: () => void) => ((notify = listener), () => {}), stop: () => {} },
    store: {
      read: async () => {
        reads++;
        await new Promise<void>((resolve) => (release = resolve)); // the database is slow
        return [];
      },
    },
    log: { warn: () => {}, info: () => {}, debug: () => {}, error: () => {} },
  } as unknown as OperationDeps;
  new InterruptRequestWatcher(d);
  bus.publish({ threadId: 'thr_1', seq: 1, kind: 'turn.started', payload: { turn: { id: 'turn_1' } } } as unknown as ThreadEvent);

  notify(); // the first read begins and waits on the database
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(reads, 1);
  for (let i = 0; i < 100; i++) notify(); // a busy fleet commits 100 times meanwhile
  for (let round = 0; round < 5; round++) {
    release();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(reads, 2, 'one more read covers the 100 commits');
});
