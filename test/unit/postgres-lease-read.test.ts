import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/store.js';
import { postgresMissing, sharedPostgres } from '../helpers/postgres.js';
import { at, newOwner, seedTurn } from '../store-contract/fixtures.js';

// Issue 16, fleets: every admission reads its thread, then who holds its lease. On Postgres the
// lease and its owner come with the thread's row (one statement after the lock), not in two more
// round trips; and they are never staler than the transaction's own writes.
const missing = postgresMissing();

/** Statements sent by every pg client of this process while `fn` runs. */
async function statementsOf(fn: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    sent.push(typeof config === 'string' ? config : String((config as { text?: unknown }).text));
    return (query as (...a: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof query;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

test('threads.find then owners.threadLease: the lock and one read, the lease current after the transaction\'s own writes', { skip: missing }, async (t) => {
  const store = await openPostgresStore(await (await sharedPostgres()).createDatabase(), { poolSize: 2 });
  t.after(() => store.close());
  await store.write(async (tx) => {
    await tx.owners.upsert(newOwner('own_1'));
    await seedTurn(tx, 'thr_1', 'turn_1');
    await tx.threads.setRunningTurn('thr_1', 'turn_1', at(1), { owner: 'own_1', expiresAt: at(11) });
  });

  await store.write(async (tx) => {
    let lease: Awaited<ReturnType<typeof tx.owners.threadLease>>;
    const sent = await statementsOf(async () => {
      assert.equal((await tx.threads.find('thr_1'))?.status, 'running');
      lease = await tx.owners.threadLease('thr_1', tx.now);
    });
    assert.equal(sent.length, 2, `the lock and the thread's row with its lease:\n${sent.join('\n')}`);
    assert.deepStrictEqual(lease!, { runningTurnId: 'turn_1', ownerId: 'own_1', expiresAt: at(11), expired: true, owner: newOwner('own_1') });

    // The owner's row written since (a heartbeat): read again.
    await tx.owners.upsert(newOwner('own_1', { heartbeatAt: at(5) }));
    assert.equal((await tx.owners.threadLease('thr_1', tx.now))?.owner?.heartbeatAt, at(5));
    // The lease moved since: the thread's row is read again, with the new owner (unrecorded: none).
    await tx.threads.setRunningTurn('thr_1', 'turn_1', at(2), { owner: 'own_2', expiresAt: at(12) });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(await tx.owners.threadLease('thr_1', tx.now))), {
      runningTurnId: 'turn_1', ownerId: 'own_2', expiresAt: at(12), expired: true,
    });
  });
});
