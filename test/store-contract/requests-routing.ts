import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, newThread, type OpenStore } from './fixtures.js';

export function clientRequestContract(open: OpenStore): void {
  describe('client requests', () => {
    test('a client request id answers with what its first call recorded, per thread', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_2'));
        tx.clientRequests.insert('thr_1', 'req-1', { turnId: 'turn_1', admissionId: 'inp_1', queued: true }, at(1));
        tx.clientRequests.insert('thr_2', 'req-1', { turnId: 'turn_2', admissionId: 'inp_2', queued: false }, at(1));
      });
      store.read((tx) => {
        assert.deepStrictEqual(tx.clientRequests.find('thr_1', 'req-1'), { turnId: 'turn_1', admissionId: 'inp_1', queued: true });
        assert.deepStrictEqual(tx.clientRequests.find('thr_2', 'req-1'), { turnId: 'turn_2', admissionId: 'inp_2', queued: false });
        assert.equal(tx.clientRequests.find('thr_1', 'req-2'), undefined);
        assert.equal(tx.clientRequests.find('thr_none', 'req-1'), undefined);
      });
    });
  });
}

export function routingContract(open: OpenStore): void {
  describe('routing', () => {
    test('replace sets the rules in order; a second replace replaces them all', (t) => {
      const { store } = open(t);
      assert.deepStrictEqual(store.read((tx) => tx.routing.list()), []);
      const rules = [
        { intent: 'code', model: 'big' },
        { intent: 'chat', model: 'small' },
        { intent: 'alpha', model: 'mid' },
      ];
      store.write((tx) => tx.routing.replace(rules));
      assert.deepStrictEqual(store.read((tx) => tx.routing.list()), rules);
      store.write((tx) => tx.routing.replace([{ intent: 'only', model: 'one' }]));
      assert.deepStrictEqual(store.read((tx) => tx.routing.list()), [{ intent: 'only', model: 'one' }]);
      store.write((tx) => tx.routing.replace([]));
      assert.deepStrictEqual(store.read((tx) => tx.routing.list()), []);
    });

    test('modelForIntent: the first matching rule, case-insensitively; undefined when none', (t) => {
      const { store } = open(t);
      store.write((tx) =>
        tx.routing.replace([
          { intent: 'Code', model: 'first' },
          { intent: 'CODE', model: 'second' },
          { intent: 'chat', model: 'small' },
        ]),
      );
      store.read((tx) => {
        assert.equal(tx.routing.modelForIntent('code'), 'first');
        assert.equal(tx.routing.modelForIntent('cOdE'), 'first');
        assert.equal(tx.routing.modelForIntent('CHAT'), 'small');
        assert.equal(tx.routing.modelForIntent('cod'), undefined);
        assert.equal(tx.routing.modelForIntent('%'), undefined);
      });
    });

    test(
      'modelForIntent matches letters beyond ASCII case-insensitively',
      (t) => {
        const { store } = open(t);
        store.write((tx) => tx.routing.replace([{ intent: 'Éclair', model: 'fr' }, { intent: 'ΣΟΦΙΑ', model: 'el' }]));
        store.read((tx) => {
          assert.equal(tx.routing.modelForIntent('éclair'), 'fr');
          assert.equal(tx.routing.modelForIntent('σοφια'), 'el');
        });
      },
    );
  });
}
