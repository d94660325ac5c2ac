import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, newThread, type OpenStore } from './fixtures.js';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export function transactionContract(open: OpenStore): void {
  describe('transactions', () => {
    test('write and read return what their function returns; a write’s reads see its own writes', async (t) => {
      const { store } = await open(t);
      const seen = await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.setArchived('thr_1', true, at(3));
        return (await tx.threads.list(true, 10)).map((x) => x.id);
      });
      assert.deepStrictEqual(seen, ['thr_1']);
      assert.equal(await store.read(async () => 42), 42);
    });

    test('a write that throws commits nothing and rethrows the same error', async (t) => {
      const { store } = await open(t);
      await store.write((tx) => tx.threads.insert(newThread('thr_kept')));
      const boom = new Error('boom');
      await assert.rejects(
        async () =>
          store.write(async (tx) => {
            await tx.threads.insert(newThread('thr_gone'));
            await tx.threads.updateSettings('thr_kept', { title: 'changed', model: null, mode: null, systemPrompt: null, autoApprove: true, trustMode: true, metadata: {} }, at(5));
            await tx.events.append({ threadId: 'thr_kept', seq: await tx.threads.nextSeq('thr_kept'), kind: 'k', payload: {}, time: at(5) });
            await tx.routing.replace([{ intent: 'a', model: 'b' }]);
            throw boom;
          }),
        (error) => error === boom,
      );
      await store.read(async (tx) => {
        assert.equal(await tx.threads.find('thr_gone'), undefined);
        assert.equal((await tx.threads.find('thr_kept'))?.title, 'title of thr_kept');
        assert.equal(await tx.threads.lastSeq('thr_kept'), 0);
        assert.deepStrictEqual(await tx.events.page('thr_kept', 0, 10), []);
        assert.deepStrictEqual(await tx.routing.list(), []);
      });
    });

    test('a savepoint that throws rolls back its own writes only; the transaction commits the rest', async (t) => {
      const { store } = await open(t);
      const result = await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_before'));
        await assert.rejects(
          async () =>
            tx.savepoint(async () => {
              await tx.threads.insert(newThread('thr_inside'));
              await tx.threads.setArchived('thr_before', true, at(9));
              throw new Error('inner');
            }),
          /inner/,
        );
        assert.equal(await tx.threads.find('thr_inside'), undefined, 'the transaction sees the rollback at once');
        const kept = await tx.savepoint(async () => {
          await tx.threads.insert(newThread('thr_saved'));
          return 'value';
        });
        await tx.threads.insert(newThread('thr_after'));
        return kept;
      });
      assert.equal(result, 'value');
      await store.read(async (tx) => {
        assert.deepStrictEqual((await tx.threads.list(false, 10)).map((x) => x.id).sort(), ['thr_after', 'thr_before', 'thr_saved']);
        assert.deepStrictEqual(await tx.threads.list(true, 10), []);
      });
    });

    test('nested savepoints, and several one after another, each roll back only their own writes', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        const fail = async (fn: () => Promise<unknown>) => assert.rejects(async () => tx.savepoint(fn), /inner/);
        await tx.savepoint(async () => {
          await tx.threads.insert(newThread('thr_outer'));
          await fail(async () => {
            await tx.threads.insert(newThread('thr_inner_failed'));
            throw new Error('inner');
          });
          await tx.savepoint(async () => tx.threads.insert(newThread('thr_inner_kept')));
        });
        await fail(async () => {
          await tx.threads.insert(newThread('thr_outer_failed'));
          await tx.savepoint(async () => tx.threads.insert(newThread('thr_inner_of_failed')));
          throw new Error('inner');
        });
        await tx.savepoint(async () => tx.threads.insert(newThread('thr_last')));
      });
      const ids = await store.read(async (tx) => (await tx.threads.list(false, 10)).map((x) => x.id).sort());
      assert.deepStrictEqual(ids, ['thr_inner_kept', 'thr_last', 'thr_outer']);
    });

    test('tx.now is one ISO 8601 UTC time, read once when the transaction began', async (t) => {
      const { store } = await open(t);
      const before = Date.now();
      const [first, second] = await store.write(async (tx) => {
        const first = tx.now;
        await tx.threads.insert(newThread('thr_1', { now: tx.now }));
        const until = Date.now() + 3;
        while (Date.now() < until); // the clock moves on; tx.now must not
        return [first, tx.now];
      });
      assert.match(first, ISO_UTC);
      assert.equal(new Date(first).toISOString(), first);
      assert.equal(second, first);
      // Within a minute of this process's clock: an adapter may use the database's clock instead.
      assert.ok(Math.abs(Date.parse(first) - before) < 60_000, `tx.now ${first} is far from ${new Date(before).toISOString()}`);
      assert.equal(await store.read(async (tx) => (await tx.threads.find('thr_1'))?.createdAt), first);
    });

    test('a read is one snapshot: another connection’s commit during it is not seen', async (t) => {
      const h = await open(t);
      if (!h.otherConnection) return t.skip('this adapter has no second connection');
      const other = await h.otherConnection();
      await h.store.write((tx) => tx.threads.insert(newThread('thr_1')));
      const titles = await h.store.read(async (tx) => {
        const first = (await tx.threads.find('thr_1'))?.title;
        await other.write(async (o) => {
          await o.threads.updateSettings('thr_1', { title: 'changed', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(2));
          await o.threads.insert(newThread('thr_2'));
        });
        return [first, (await tx.threads.find('thr_1'))?.title, (await tx.threads.find('thr_2'))?.id];
      });
      assert.deepStrictEqual(titles, ['title of thr_1', 'title of thr_1', undefined]);
      assert.equal(await h.store.read(async (tx) => (await tx.threads.find('thr_1'))?.title), 'changed', 'the next read sees it');
    });

    test('another connection sees a write only once it commits', async (t) => {
      const h = await open(t);
      if (!h.otherConnection) return t.skip('this adapter has no second connection');
      const other = await h.otherConnection();
      const during = await h.store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        return other.read((o) => o.threads.find('thr_1'));
      });
      assert.equal(during, undefined);
      assert.equal(await other.read(async (o) => (await o.threads.find('thr_1'))?.id), 'thr_1');
    });

    test('committed data is still there after the store is closed and opened again', async (t) => {
      const h = await open(t);
      if (!h.reopen) return t.skip('this adapter cannot reopen');
      await h.store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1', { metadata: { k: [1] } }));
        await tx.events.append({ threadId: 'thr_1', seq: await tx.threads.nextSeq('thr_1'), kind: 'k', payload: { a: 1 }, time: at(1) });
        await tx.routing.replace([{ intent: 'i', model: 'm' }]);
      });
      const before = await h.store.read(async (tx) => [await tx.threads.find('thr_1'), await tx.events.page('thr_1', 0, 10), await tx.routing.list()]);
      const reopened = await h.reopen();
      const after = await reopened.read(async (tx) => [await tx.threads.find('thr_1'), await tx.events.page('thr_1', 0, 10), await tx.routing.list()]);
      assert.deepStrictEqual(after, before);
      assert.equal(await reopened.write((tx) => tx.threads.nextSeq('thr_1')), 2);
    });
  });
}
