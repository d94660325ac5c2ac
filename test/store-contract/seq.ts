import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newThread, type OpenStore } from './fixtures.js';

export function seqContract(open: OpenStore): void {
  describe('seq allocation', () => {
    test('nextSeq counts 1, 2, 3… per thread, each thread on its own, across transactions', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_a'));
        tx.threads.insert(newThread('thr_b'));
      });
      assert.equal(store.read((tx) => tx.threads.lastSeq('thr_a')), 0, 'a new thread has no event yet');
      const got = [
        store.write((tx) => [tx.threads.nextSeq('thr_a'), tx.threads.nextSeq('thr_a')]),
        store.write((tx) => [tx.threads.nextSeq('thr_b')]),
        store.write((tx) => [tx.threads.nextSeq('thr_a'), tx.threads.nextSeq('thr_b')]),
      ];
      assert.deepStrictEqual(got, [[1, 2], [1], [3, 2]]);
      store.read((tx) => {
        assert.equal(tx.threads.lastSeq('thr_a'), 3);
        assert.equal(tx.threads.lastSeq('thr_b'), 2);
        assert.equal(tx.threads.find('thr_a')?.lastSeq, 3);
      });
    });

    test('a rolled-back transaction keeps none of its seqs: the next one leaves no gap', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_a'));
        tx.threads.nextSeq('thr_a');
      });
      assert.throws(() =>
        store.write((tx) => {
          assert.equal(tx.threads.nextSeq('thr_a'), 2);
          assert.equal(tx.threads.nextSeq('thr_a'), 3);
          throw new Error('abort');
        }),
      /abort/);
      assert.equal(store.read((tx) => tx.threads.lastSeq('thr_a')), 1);
      assert.equal(store.write((tx) => tx.threads.nextSeq('thr_a')), 2);
    });

    test('a seq taken inside a rolled-back savepoint is given out again', (t) => {
      const { store } = open(t);
      const seqs = store.write((tx) => {
        tx.threads.insert(newThread('thr_a'));
        const first = tx.threads.nextSeq('thr_a');
        assert.throws(() =>
          tx.savepoint(() => {
            tx.threads.nextSeq('thr_a');
            throw new Error('abort');
          }),
        );
        return [first, tx.threads.nextSeq('thr_a')];
      });
      assert.deepStrictEqual(seqs, [1, 2]);
    });
  });
}
