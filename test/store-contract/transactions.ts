import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, newThread, type OpenStore } from './fixtures.js';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export function transactionContract(open: OpenStore): void {
  describe('transactions', () => {
    test('write and read return what their function returns; a write’s reads see its own writes', (t) => {
      const { store } = open(t);
      const seen = store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.setArchived('thr_1', true, at(3));
        return tx.threads.list(true, 10).map((x) => x.id);
      });
      assert.deepStrictEqual(seen, ['thr_1']);
      assert.equal(store.read(() => 42), 42);
    });

    test('a write that throws commits nothing and rethrows the same error', (t) => {
      const { store } = open(t);
      store.write((tx) => tx.threads.insert(newThread('thr_kept')));
      const boom = new Error('boom');
      assert.throws(
        () =>
          store.write((tx) => {
            tx.threads.insert(newThread('thr_gone'));
            tx.threads.updateSettings('thr_kept', { title: 'changed', model: null, mode: null, systemPrompt: null, autoApprove: true, trustMode: true, metadata: {} }, at(5));
            tx.events.append({ threadId: 'thr_kept', seq: tx.threads.nextSeq('thr_kept'), kind: 'k', payload: {}, time: at(5) });
            tx.routing.replace([{ intent: 'a', model: 'b' }]);
            throw boom;
          }),
        (error) => error === boom,
      );
      store.read((tx) => {
        assert.equal(tx.threads.find('thr_gone'), undefined);
        assert.equal(tx.threads.find('thr_kept')?.title, 'title of thr_kept');
        assert.equal(tx.threads.lastSeq('thr_kept'), 0);
        assert.deepStrictEqual(tx.events.page('thr_kept', 0, 10), []);
        assert.deepStrictEqual(tx.routing.list(), []);
      });
    });

    test('a savepoint that throws rolls back its own writes only; the transaction commits the rest', (t) => {
      const { store } = open(t);
      const result = store.write((tx) => {
        tx.threads.insert(newThread('thr_before'));
        assert.throws(
          () =>
            tx.savepoint(() => {
              tx.threads.insert(newThread('thr_inside'));
              tx.threads.setArchived('thr_before', true, at(9));
              throw new Error('inner');
            }),
          /inner/,
        );
        assert.equal(tx.threads.find('thr_inside'), undefined, 'the transaction sees the rollback at once');
        const kept = tx.savepoint(() => {
          tx.threads.insert(newThread('thr_saved'));
          return 'value';
        });
        tx.threads.insert(newThread('thr_after'));
        return kept;
      });
      assert.equal(result, 'value');
      store.read((tx) => {
        assert.deepStrictEqual(tx.threads.list(false, 10).map((x) => x.id).sort(), ['thr_after', 'thr_before', 'thr_saved']);
        assert.deepStrictEqual(tx.threads.list(true, 10), []);
      });
    });

    test('tx.now is one ISO 8601 UTC time, read once when the transaction began', (t) => {
      const { store } = open(t);
      const before = Date.now();
      const [first, second] = store.write((tx) => {
        const first = tx.now;
        tx.threads.insert(newThread('thr_1', { now: tx.now }));
        const until = Date.now() + 3;
        while (Date.now() < until); // the clock moves on; tx.now must not
        return [first, tx.now];
      });
      assert.match(first, ISO_UTC);
      assert.equal(new Date(first).toISOString(), first);
      assert.equal(second, first);
      // Within a minute of this process's clock: an adapter may use the database's clock instead.
      assert.ok(Math.abs(Date.parse(first) - before) < 60_000, `tx.now ${first} is far from ${new Date(before).toISOString()}`);
      assert.equal(store.read((tx) => tx.threads.find('thr_1')?.createdAt), first);
    });

    test('a read is one snapshot: another connection’s commit during it is not seen', (t) => {
      const h = open(t);
      if (!h.otherConnection) return t.skip('this adapter has no second connection');
      const other = h.otherConnection();
      h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      const titles = h.store.read((tx) => {
        const first = tx.threads.find('thr_1')?.title;
        other.write((o) => {
          o.threads.updateSettings('thr_1', { title: 'changed', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(2));
          o.threads.insert(newThread('thr_2'));
        });
        return [first, tx.threads.find('thr_1')?.title, tx.threads.find('thr_2')?.id];
      });
      assert.deepStrictEqual(titles, ['title of thr_1', 'title of thr_1', undefined]);
      assert.equal(h.store.read((tx) => tx.threads.find('thr_1')?.title), 'changed', 'the next read sees it');
    });

    test('another connection sees a write only once it commits', (t) => {
      const h = open(t);
      if (!h.otherConnection) return t.skip('this adapter has no second connection');
      const other = h.otherConnection();
      const during = h.store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        return other.read((o) => o.threads.find('thr_1'));
      });
      assert.equal(during, undefined);
      assert.equal(other.read((o) => o.threads.find('thr_1')?.id), 'thr_1');
    });

    test('committed data is still there after the store is closed and opened again', (t) => {
      const h = open(t);
      if (!h.reopen) return t.skip('this adapter cannot reopen');
      h.store.write((tx) => {
        tx.threads.insert(newThread('thr_1', { metadata: { k: [1] } }));
        tx.events.append({ threadId: 'thr_1', seq: tx.threads.nextSeq('thr_1'), kind: 'k', payload: { a: 1 }, time: at(1) });
        tx.routing.replace([{ intent: 'i', model: 'm' }]);
      });
      const before = h.store.read((tx) => [tx.threads.find('thr_1'), tx.events.page('thr_1', 0, 10), tx.routing.list()]);
      const reopened = h.reopen();
      const after = reopened.read((tx) => [tx.threads.find('thr_1'), tx.events.page('thr_1', 0, 10), tx.routing.list()]);
      assert.deepStrictEqual(after, before);
      assert.equal(reopened.write((tx) => tx.threads.nextSeq('thr_1')), 2);
    });
  });
}
