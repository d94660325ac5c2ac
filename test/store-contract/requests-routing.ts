import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, newThread, type OpenStore } from './fixtures.js';

export function clientRequestContract(open: OpenStore): void {
  describe('client requests', () => {
    test('a client request id answers with what its first call recorded, per thread', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        await tx.clientRequests.insert('thr_1', 'req-1', { turnId: 'turn_1', admissionId: 'inp_1', queued: true }, at(1));
        await tx.clientRequests.insert('thr_2', 'req-1', { turnId: 'turn_2', admissionId: 'inp_2', queued: false }, at(1));
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual(await tx.clientRequests.find('thr_1', 'req-1'), { turnId: 'turn_1', admissionId: 'inp_1', queued: true });
        assert.deepStrictEqual(await tx.clientRequests.find('thr_2', 'req-1'), { turnId: 'turn_2', admissionId: 'inp_2', queued: false });
        assert.equal(await tx.clientRequests.find('thr_1', 'req-2'), undefined);
        assert.equal(await tx.clientRequests.find('thr_none', 'req-1'), undefined);
      });
    });
  });
}

export function routingContract(open: OpenStore): void {
  describe('routing', () => {
    test('replace sets the rules in order; a second replace replaces them all', async (t) => {
      const { store } = await open(t);
      assert.deepStrictEqual(await store.read((tx) => tx.routing.list()), []);
      const rules = [
        { intent: 'code', model: 'big' },
        { intent: 'chat', model: 'small' },
        { intent: 'alpha', model: 'mid' },
      ];
      await store.write((tx) => tx.routing.replace(rules));
      assert.deepStrictEqual(await store.read((tx) => tx.routing.list()), rules);
      await store.write((tx) => tx.routing.replace([{ intent: 'only', model: 'one' }]));
      assert.deepStrictEqual(await store.read((tx) => tx.routing.list()), [{ intent: 'only', model: 'one' }]);
      await store.write((tx) => tx.routing.replace([]));
      assert.deepStrictEqual(await store.read((tx) => tx.routing.list()), []);
    });

    test('modelForIntent: the first matching rule, case-insensitively; undefined when none', async (t) => {
      const { store } = await open(t);
      await store.write((tx) =>
        tx.routing.replace([
          { intent: 'Code', model: 'first' },
          { intent: 'CODE', model: 'second' },
          { intent: 'chat', model: 'small' },
        ]),
      );
      await store.read(async (tx) => {
        assert.equal(await tx.routing.modelForIntent('code'), 'first');
        assert.equal(await tx.routing.modelForIntent('cOdE'), 'first');
        assert.equal(await tx.routing.modelForIntent('CHAT'), 'small');
        assert.equal(await tx.routing.modelForIntent('cod'), undefined);
        assert.equal(await tx.routing.modelForIntent('%'), undefined);
      });
    });

    test(
      'modelForIntent matches letters beyond ASCII case-insensitively',
      async (t) => {
        const { store } = await open(t);
        await store.write((tx) => tx.routing.replace([{ intent: 'Éclair', model: 'fr' }, { intent: 'ΣΟΦΙΑ', model: 'el' }]));
        await store.read(async (tx) => {
          assert.equal(await tx.routing.modelForIntent('éclair'), 'fr');
          assert.equal(await tx.routing.modelForIntent('σοφια'), 'el');
        });
      },
    );
  });
}
