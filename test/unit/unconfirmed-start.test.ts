import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchRunner, createCommitter } from '../../src/orchestrator/commit/commit.js';
import { EventBus } from '../../src/orchestrator/commit/event-bus.js';
import { endUnconfirmedStarts, UNCONFIRMED_START_ERROR } from '../../src/orchestrator/turns/recovery.js';
import { openStore } from '../../src/store/open.js';
import { at, newOwner, seedTurn } from '../store-contract/fixtures.js';

// A turn start whose COMMIT reached the database while its answer was lost (a database restart
// at COMMIT) leaves a turn leased to a live process that never runs it; the heartbeat would
// renew that lease forever. The sweep after a heartbeat ends such turns, and only those.
test('turns leased to this process that it does not run end `interrupted`; those it runs, and other owners\', stay', async (t) => {
  const store = openStore(':memory:', 'normal');
  t.after(() => store.close());
  const commit = createCommitter(new BatchRunner(store, new EventBus()));
  const far = at(3600);
  await store.write(async (tx) => {
    await tx.owners.upsert(newOwner('me'));
    await tx.owners.upsert(newOwner('other'));
    for (const [threadId, turnId, owner] of [['lost', 'turn-lost', 'me'], ['running', 'turn-running', 'me'], ['theirs', 'turn-theirs', 'other']] as const) {
      await seedTurn(tx, threadId, turnId);
      await tx.threads.setRunningTurn(threadId, turnId, at(10), { owner, expiresAt: far });
    }
  });

  const ended = await endUnconfirmedStarts(commit, 'me', (threadId) => threadId === 'running', 1 << 20);

  assert.equal(ended, 1);
  const status = (id: string) => store.read(async (tx) => (await tx.turns.find(id))?.status);
  assert.equal(await status('turn-lost'), 'interrupted');
  assert.equal((await store.read(async (tx) => await tx.turns.find('turn-lost')))?.error, UNCONFIRMED_START_ERROR);
  assert.equal(await status('turn-running'), 'in_progress');
  assert.equal(await status('turn-theirs'), 'in_progress');
  assert.deepEqual((await store.read(async (tx) => await tx.owners.leasesOf('me'))).map((l) => l.threadId), ['running']);
});
