import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newAdmission, newThread, wire, type OpenStore } from './fixtures.js';
import type { Store } from '../../src/store/port.js';

/** The pending count both ways a caller reads it: countPending and the thread's queuedCount. */
const counts = (store: Store, threadId: string) =>
  store.read(async (tx) => [await tx.admissions.countPending(threadId), (await tx.threads.find(threadId))?.queuedCount]);

export function admissionContract(open: OpenStore): void {
  describe('admissions', () => {
    test('an admission reads back pending with its options, counted in queuedCount; insert answers it as it reads back', async (t) => {
      const { store } = await open(t);
      const options = { inputSummary: 'sum', model: 'm-3', mode: 'plan', temperature: 0, maxTokens: 5, allowShell: false };
      const answered = await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        return tx.admissions.insert(newAdmission('inp_1', 'thr_1', 3, { delivery: 'steer', options }));
      });
      assertNoNulls(answered, 'admission');
      await store.read(async (tx) => {
        const found = await tx.admissions.find('inp_1');
        assertNoNulls(found, 'admission');
        assert.deepStrictEqual(answered, found);
        assert.deepStrictEqual(wire(found), {
          id: 'inp_1', threadId: 'thr_1', admittedSeq: 3, prompt: 'prompt inp_1', delivery: 'steer', state: 'pending', createdAt: at(30),
        });
        const oldest = await tx.admissions.findOldestPending('thr_1');
        assert.deepStrictEqual(oldest?.options, options);
        assert.equal(oldest?.admission.id, 'inp_1');
        assert.equal(await tx.admissions.find('inp_none'), undefined);
      });
      assert.deepStrictEqual(await counts(store, 'thr_1'), [1, 1]);
    });

    test('pending admissions list oldest admitted first, per thread', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        await tx.admissions.insert(newAdmission('inp_late', 'thr_1', 9));
        await tx.admissions.insert(newAdmission('inp_early', 'thr_1', 4));
        await tx.admissions.insert(newAdmission('inp_other', 'thr_2', 1));
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual((await tx.admissions.listPending('thr_1')).map((a) => a.id), ['inp_early', 'inp_late']);
        assert.equal((await tx.admissions.findOldestPending('thr_1'))?.admission.id, 'inp_early');
        assert.equal(await tx.admissions.findOldestPending('thr_none'), undefined);
      });
      assert.deepStrictEqual(await counts(store, 'thr_1'), [2, 2]);
      assert.deepStrictEqual(await counts(store, 'thr_2'), [1, 1]);
    });

    test('markPromoted: pending → promoted once (answering the admission as it now is), then undefined; the count follows', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.admissions.insert(newAdmission('inp_1', 'thr_1', 1));
        await tx.admissions.insert(newAdmission('inp_2', 'thr_1', 2));
      });
      const answered = await store.write((tx) => tx.admissions.markPromoted('inp_1', 7, 'turn_7'));
      assert.deepStrictEqual([answered?.id, answered?.state, answered?.promotedSeq, answered?.turnId], ['inp_1', 'promoted', 7, 'turn_7']);
      assertNoNulls(answered, 'admission');
      assert.deepStrictEqual(await counts(store, 'thr_1'), [1, 1]);
      await store.read(async (tx) => {
        const promoted = await tx.admissions.find('inp_1');
        assert.deepStrictEqual(wire(promoted), wire(answered), 'what markPromoted answered is what reads back');
        assert.deepStrictEqual((await tx.admissions.listPending('thr_1')).map((a) => a.id), ['inp_2']);
      });
      assert.equal(await store.write((tx) => tx.admissions.markPromoted('inp_1', 8, 'turn_8')), undefined);
      assert.equal(await store.write((tx) => tx.admissions.markCancelled('inp_1')), false);
      assert.equal(await store.write((tx) => tx.admissions.markPromoted('inp_none', 8, 'turn_8')), undefined);
      assert.deepStrictEqual(await counts(store, 'thr_1'), [1, 1]);
      const still = await store.read((tx) => tx.admissions.find('inp_1'));
      assert.deepStrictEqual([still?.state, still?.promotedSeq, still?.turnId], ['promoted', 7, 'turn_7']);
    });

    test('markCancelled: pending → cancelled once, then false; the count follows', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.admissions.insert(newAdmission('inp_1', 'thr_1', 1));
      });
      assert.equal(await store.write((tx) => tx.admissions.markCancelled('inp_1')), true);
      assert.deepStrictEqual(await counts(store, 'thr_1'), [0, 0]);
      assert.equal(await store.write((tx) => tx.admissions.markCancelled('inp_1')), false);
      assert.equal(await store.write((tx) => tx.admissions.markPromoted('inp_1', 2, 'turn_2')), undefined);
      assert.equal(await store.write((tx) => tx.admissions.markCancelled('inp_none')), false);
      assert.deepStrictEqual(await counts(store, 'thr_1'), [0, 0]);
      const cancelled = await store.read((tx) => tx.admissions.find('inp_1'));
      assertNoNulls(cancelled, 'admission');
      assert.equal(cancelled?.state, 'cancelled');
      assert.equal(wire(cancelled)?.turnId, undefined);
      assert.deepStrictEqual(await store.read((tx) => tx.admissions.listPending('thr_1')), []);
    });
  });
}
