import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newThread, type OpenStore } from './fixtures.js';

export function seqContract(open: OpenStore): void {
  describe('seq allocation', () => {
    test('nextSeq counts 1, 2, 3… per thread, each thread on its own, across transactions', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a'));
        await tx.threads.insert(newThread('thr_b'));
      });
      assert.equal(await store.read((tx) => tx.threads.lastSeq('thr_a')), 0, 'a new thread has no event yet');
      const got = [
        await store.write(async (tx) => [await tx.threads.nextSeq('thr_a'), await tx.threads.nextSeq('thr_a')]),
        await store.write(async (tx) => [await tx.threads.nextSeq('thr_b')]),
        await store.write(async (tx) => [await tx.threads.nextSeq('thr_a'), await tx.threads.nextSeq('thr_b')]),
      ];
      assert.deepStrictEqual(got, [[1, 2], [1], [3, 2]]);
      await store.read(async (tx) => {
        assert.equal(await tx.threads.lastSeq('thr_a'), 3);
        assert.equal(await tx.threads.lastSeq('thr_b'), 2);
        assert.equal((await tx.threads.find('thr_a'))?.lastSeq, 3);
      });
    });

    test('a rolled-back transaction keeps none of its seqs: the next one leaves no gap', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a'));
        await tx.threads.nextSeq('thr_a');
      });
      await assert.rejects(async () =>
        store.write(async (tx) => {
          assert.equal(await tx.threads.nextSeq('thr_a'), 2);
          assert.equal(await tx.threads.nextSeq('thr_a'), 3);
          throw new Error('abort');
        }),
      /abort/);
      assert.equal(await store.read((tx) => tx.threads.lastSeq('thr_a')), 1);
      assert.equal(await store.write((tx) => tx.threads.nextSeq('thr_a')), 2);
    });

    test('a seq taken inside a rolled-back savepoint is given out again', async (t) => {
      const { store } = await open(t);
      const seqs = await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a'));
        const first = await tx.threads.nextSeq('thr_a');
        await assert.rejects(async () =>
          tx.savepoint(async () => {
            await tx.threads.nextSeq('thr_a');
            throw new Error('abort');
          }),
        );
        return [first, await tx.threads.nextSeq('thr_a')];
      });
      assert.deepStrictEqual(seqs, [1, 2]);
    });
  });
}
