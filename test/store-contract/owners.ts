import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

/** A read transaction's clock for threadLease (an adapter with a clock of its own uses that). */
const clock = (): string => new Date().toISOString();
import { at, newOwner, seedTurn, wire, type OpenStore } from './fixtures.js';

export function ownerContract(open: OpenStore): void {
  describe('owners and leases', () => {
    test('an owner round-trips; upsert again keeps startedAt and moves the heartbeat', async (t) => {
      const { store } = await open(t);
      const unknown = newOwner('own_old', { pidNamespace: null, leaseTtlMs: null });
      await store.write(async (tx) => {
        await tx.owners.upsert(newOwner('own_1'));
        await tx.owners.upsert(unknown);
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual(await tx.owners.find('own_1'), newOwner('own_1'));
        assert.deepStrictEqual(await tx.owners.find('own_old'), unknown);
        assert.equal(await tx.owners.find('own_none'), undefined);
      });
      await store.write((tx) => tx.owners.upsert(newOwner('own_1', { startedAt: at(50), heartbeatAt: at(60) })));
      const again = await store.read((tx) => tx.owners.find('own_1'));
      assert.equal(again?.startedAt, at(0));
      assert.equal(again?.heartbeatAt, at(60));
      await store.write((tx) => tx.owners.delete('own_1'));
      assert.equal(await store.read((tx) => tx.owners.find('own_1')), undefined);
    });

    test('threadLease tells who runs the thread, with the owner when it is recorded', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.owners.upsert(newOwner('own_1'));
        await seedTurn(tx, 'thr_1', 'turn_1');
        await seedTurn(tx, 'thr_2', 'turn_2');
        await seedTurn(tx, 'thr_idle', 'turn_3');
        await tx.threads.setRunningTurn('thr_1', 'turn_1', at(1), { owner: 'own_1', expiresAt: at(11) });
        await tx.threads.setRunningTurn('thr_2', 'turn_2', at(1), { owner: 'own_unrecorded', expiresAt: at(12) });
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual(await tx.owners.threadLease('thr_1', clock()), {
          runningTurnId: 'turn_1', ownerId: 'own_1', expiresAt: at(11), expired: true, owner: newOwner('own_1'),
        });
        assert.deepStrictEqual(wire(await tx.owners.threadLease('thr_2', clock())), { runningTurnId: 'turn_2', ownerId: 'own_unrecorded', expiresAt: at(12), expired: true });
        assert.deepStrictEqual(wire(await tx.owners.threadLease('thr_idle', clock())), { runningTurnId: null, ownerId: null, expiresAt: null, expired: true });
        assert.equal(await tx.owners.threadLease('thr_none', clock()), undefined);
      });
    });

    test('threadWithLease answers what threads.find and threadLease do, in one read', async (t) => {
      const { store } = await open(t);
      const now = await store.write(async (tx) => tx.now);
      const later = new Date(Date.parse(now) + 3_600_000).toISOString();
      await store.write(async (tx) => {
        await tx.owners.upsert(newOwner('own_1'));
        await seedTurn(tx, 'thr_1', 'turn_1');
        await seedTurn(tx, 'thr_2', 'turn_2');
        await seedTurn(tx, 'thr_idle', 'turn_3');
        await tx.threads.setRunningTurn('thr_1', 'turn_1', at(1), { owner: 'own_1', expiresAt: later });
        await tx.threads.setRunningTurn('thr_2', 'turn_2', at(1), { owner: 'own_unrecorded', expiresAt: at(12) });
      });
      await store.write(async (tx) => {
        for (const id of ['thr_1', 'thr_2', 'thr_idle']) {
          const both = await tx.owners.threadWithLease(id, tx.now);
          assert.deepStrictEqual(both, { thread: await tx.threads.find(id), lease: await tx.owners.threadLease(id, tx.now) }, id);
        }
        const live = await tx.owners.threadWithLease('thr_1', tx.now);
        assert.deepStrictEqual(live?.lease, { runningTurnId: 'turn_1', ownerId: 'own_1', expiresAt: later, expired: false, owner: newOwner('own_1') });
        assert.equal(live?.thread.status, 'running');
        assert.equal((await tx.owners.threadWithLease('thr_2', tx.now))?.lease.expired, true, 'past its expiry, its owner unrecorded');
        assert.equal(await tx.owners.threadWithLease('thr_none', tx.now), undefined);
        // Read again after this transaction's own writes: what they wrote.
        await tx.owners.upsert(newOwner('own_1', { heartbeatAt: at(70) }));
        assert.equal((await tx.owners.threadWithLease('thr_1', tx.now))?.lease.owner?.heartbeatAt, at(70));
        await tx.threads.clearRunningTurn('thr_1', 'turn_1', at(2));
        const after = await tx.owners.threadWithLease('thr_1', tx.now);
        assert.deepStrictEqual(wire(after?.lease), { runningTurnId: null, ownerId: null, expiresAt: null, expired: true });
        assert.equal(after?.thread.status, 'idle');
        assert.equal((await tx.owners.threadWithLease('thr_2', tx.now))?.lease.owner, undefined);
      });
    });

    test('threadLease judges expiry by the transaction\'s clock: expired up to and at its expiry, not before', async (t) => {
      const { store } = await open(t);
      const now = await store.write(async (tx) => tx.now);
      const later = new Date(Date.parse(now) + 3_600_000).toISOString();
      await store.write(async (tx) => {
        await seedTurn(tx, 'thr_live', 'turn_1');
        await seedTurn(tx, 'thr_past', 'turn_2');
        await tx.threads.setRunningTurn('thr_live', 'turn_1', now, { owner: 'own_1', expiresAt: later });
        await tx.threads.setRunningTurn('thr_past', 'turn_2', now, { owner: 'own_1', expiresAt: now });
      });
      await store.write(async (tx) => {
        assert.equal((await tx.owners.threadLease('thr_live', tx.now))?.expired, false, 'an hour ahead of the clock');
        assert.equal((await tx.owners.threadLease('thr_past', tx.now))?.expired, true, 'its expiry has come');
      });
    });

    test('holdsLease, leasesOf and renewLeases follow the running turns of each owner', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.owners.upsert(newOwner('own_1'));
        await tx.owners.upsert(newOwner('own_2'));
        for (const [thread, turn, owner] of [['thr_a', 'turn_a', 'own_1'], ['thr_b', 'turn_b', 'own_1'], ['thr_c', 'turn_c', 'own_2']]) {
          await seedTurn(tx, thread!, turn!);
          await tx.threads.setRunningTurn(thread!, turn!, at(1), { owner: owner!, expiresAt: at(10) });
        }
      });
      await store.read(async (tx) => {
        assert.equal(await tx.owners.holdsLease('thr_a', 'turn_a', 'own_1'), true);
        assert.equal(await tx.owners.holdsLease('thr_a', 'turn_a', 'own_2'), false, 'another owner');
        assert.equal(await tx.owners.holdsLease('thr_a', 'turn_b', 'own_1'), false, 'another turn');
        assert.equal(await tx.owners.holdsLease('thr_none', 'turn_a', 'own_1'), false);
        const sorted = async (id: string) => [...await tx.owners.leasesOf(id)].sort((x, y) => x.threadId.localeCompare(y.threadId));
        assert.deepStrictEqual(await sorted('own_1'), [{ threadId: 'thr_a', runningTurnId: 'turn_a' }, { threadId: 'thr_b', runningTurnId: 'turn_b' }]);
        assert.deepStrictEqual(await sorted('own_none'), []);
      });
      await store.write((tx) => tx.owners.renewLeases('own_1', at(30)));
      await store.read(async (tx) => {
        const expiries = [];
        for (const id of ['thr_a', 'thr_b', 'thr_c']) expiries.push((await tx.owners.threadLease(id, clock()))?.expiresAt);
        assert.deepStrictEqual(expiries, [at(30), at(30), at(10)]);
      });
      await store.write((tx) => tx.threads.clearRunningTurn('thr_a', 'turn_a', at(40)));
      await store.read(async (tx) => {
        assert.equal(await tx.owners.holdsLease('thr_a', 'turn_a', 'own_1'), false, 'the lease ends with the turn');
        assert.deepStrictEqual(wire(await tx.owners.threadLease('thr_a', clock())), { runningTurnId: null, ownerId: null, expiresAt: null, expired: true });
        assert.deepStrictEqual(await tx.owners.leasesOf('own_1'), [{ threadId: 'thr_b', runningTurnId: 'turn_b' }]);
      });
    });

    test('deleteStale forgets owners silent past ttls × their own ttl, unless they hold a lease', async (t) => {
      const { store } = await open(t);
      const now = at(100);
      await store.write(async (tx) => {
        // ttls = 3: an owner with a 10 s ttl is stale after 30 s of silence; an unknown ttl counts as 20 s (60 s).
        await tx.owners.upsert(newOwner('own_stale', { heartbeatAt: at(69) }));
        await tx.owners.upsert(newOwner('own_fresh', { heartbeatAt: at(71) }));
        await tx.owners.upsert(newOwner('own_stale_leasing', { heartbeatAt: at(0) }));
        await tx.owners.upsert(newOwner('own_unknown_fresh', { leaseTtlMs: null, heartbeatAt: at(41) }));
        await tx.owners.upsert(newOwner('own_unknown_stale', { leaseTtlMs: null, heartbeatAt: at(39) }));
        await tx.owners.upsert(newOwner('own_long_ttl', { leaseTtlMs: 60_000, heartbeatAt: at(0) }));
        await seedTurn(tx, 'thr_1', 'turn_1');
        await tx.threads.setRunningTurn('thr_1', 'turn_1', at(1), { owner: 'own_stale_leasing', expiresAt: at(2) });
      });
      assert.equal(await store.write((tx) => tx.owners.deleteStale(now, 3, 20_000)), 2);
      const left = await store.read(async (tx) => {
        const found: string[] = [];
        for (const id of ['own_stale', 'own_fresh', 'own_stale_leasing', 'own_unknown_fresh', 'own_unknown_stale', 'own_long_ttl']) {
          if (await tx.owners.find(id)) found.push(id);
        }
        return found;
      });
      assert.deepStrictEqual(left, ['own_fresh', 'own_stale_leasing', 'own_unknown_fresh', 'own_long_ttl']);
      assert.equal(await store.write((tx) => tx.owners.deleteStale(now, 3, 20_000)), 0);
    });
  });
}
