import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newItem, newThread, newTurn, seedTurn, wire, type OpenStore } from './fixtures.js';

export function itemContract(open: OpenStore): void {
  describe('items and history', () => {
    test('insert returns the item as find reads it, absent fields omitted', async (t) => {
      const { store } = await open(t);
      const inserted = await store.write(async (tx) => {
        await seedTurn(tx, 'thr_1', 'turn_1');
        return tx.items.insert(newItem('item_1', 'turn_1', 'thr_1', { kind: 'reasoning', summary: 'thinking' }));
      });
      const found = await store.read((tx) => tx.items.find('item_1'));
      assertNoNulls(found, 'item');
      assert.deepStrictEqual(wire(inserted), wire(found));
      assert.deepStrictEqual(wire(found), {
        id: 'item_1', turnId: 'turn_1', kind: 'reasoning', status: 'in_progress', summary: 'thinking', startedAt: at(20),
      });
      assert.equal(await store.read((tx) => tx.items.find('item_none')), undefined);
    });

    test('detail and metadata round-trip', async (t) => {
      const { store } = await open(t);
      const metadata = { tool: 'shell', args: { argv: ['ls', '-l'] }, exit: 0 };
      const item = await store.write(async (tx) => {
        await seedTurn(tx, 'thr_1', 'turn_1');
        return tx.items.insert(
          newItem('item_1', 'turn_1', 'thr_1', { kind: 'tool_call', status: 'completed', summary: 'ls', detail: 'ls -l ✓', metadata }),
        );
      });
      assert.equal(item.detail, 'ls -l ✓');
      assert.deepStrictEqual(item.metadata, metadata);
      assert.equal(item.status, 'completed');
    });

    test('any string round-trips: U+0000 (a binary file a tool read), and a leading U+0001', async (t) => {
      const { store } = await open(t);
      const binary = `head${'\0'.repeat(5)}tail`;
      const marked = '\u0001{"not":"json"';
      await store.write(async (tx) => {
        await seedTurn(tx, 'thr_1', 'turn_1');
        await tx.items.insert(newItem('item_1', 'turn_1', 'thr_1', { kind: 'tool_result', summary: marked }));
        await tx.items.finish('item_1', { status: 'completed', summary: marked, detail: binary, endedAt: at(40) });
        await tx.events.append({ threadId: 'thr_1', seq: await tx.threads.nextSeq('thr_1'), kind: 'k', payload: { text: binary }, time: at(41) });
      });
      const [item, events] = await store.read(async (tx) => [await tx.items.find('item_1'), await tx.events.page('thr_1', 0, 10)] as const);
      assert.equal(item?.detail, binary);
      assert.equal(item?.summary, marked);
      assert.deepStrictEqual(events.at(-1)?.payload, { text: binary });
    });

    test('finish ends an item: metadata replaced when given, kept when not', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await seedTurn(tx, 'thr_1', 'turn_1');
        await tx.items.insert(newItem('item_keep', 'turn_1', 'thr_1', { metadata: { a: 1 } }));
        await tx.items.insert(newItem('item_swap', 'turn_1', 'thr_1', { metadata: { a: 1 } }));
      });
      const [kept, swapped] = await store.write(async (tx) => [
        await tx.items.finish('item_keep', { status: 'completed', summary: 'done', detail: 'done in full', endedAt: at(40) }),
        await tx.items.finish('item_swap', { status: 'failed', summary: 'oops', detail: 'oops', metadata: { b: 2 }, endedAt: at(41) }),
      ]);
      assert.deepStrictEqual(wire(kept), {
        id: 'item_keep', turnId: 'turn_1', kind: 'agent_message', status: 'completed', summary: 'done', detail: 'done in full',
        metadata: { a: 1 }, startedAt: at(20), endedAt: at(40),
      });
      assert.deepStrictEqual(swapped?.metadata, { b: 2 });
      assert.equal(swapped?.status, 'failed');
      await store.read(async (tx) => {
        assert.deepStrictEqual(wire(await tx.items.find('item_keep')), wire(kept));
        assert.deepStrictEqual(wire(await tx.items.find('item_swap')), wire(swapped));
      });
    });

    test('listOfTurn keeps insertion order; listOpenOfTurn only the in-progress ones', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await seedTurn(tx, 'thr_1', 'turn_1');
        await seedTurn(tx, 'thr_1', 'turn_2', 2);
        for (const id of ['item_z', 'item_a', 'item_m', 'item_b']) await tx.items.insert(newItem(id, 'turn_1', 'thr_1'));
        await tx.items.insert(newItem('item_other', 'turn_2', 'thr_1'));
        await tx.items.finish('item_a', { status: 'completed', summary: '', endedAt: at(30) });
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual((await tx.items.listOfTurn('turn_1')).map((x) => x.id), ['item_z', 'item_a', 'item_m', 'item_b']);
        assert.deepStrictEqual((await tx.items.listOpenOfTurn('turn_1')).map((x) => x.id), ['item_z', 'item_m', 'item_b']);
        assert.deepStrictEqual(await tx.items.listOfTurn('turn_none'), []);
      });
    });

    test("listHistory orders every item by turn, then item position, with its turn's facts (superseded marked)", async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        // Ids sort against conversation order, so only start seq and position can order them.
        await tx.turns.insert(newTurn('turn_z', 'thr_1', 1));
        await tx.turns.insert(newTurn('turn_y', 'thr_1', 6));
        await tx.turns.insert(newTurn('turn_a', 'thr_1', 3));
        await tx.turns.insert(newTurn('turn_x', 'thr_2', 2));
        const add = (id: string, turn: string, detail?: string, metadata?: Record<string, unknown>) =>
          tx.items.insert(newItem(id, turn, turn === 'turn_x' ? 'thr_2' : 'thr_1', { kind: 'user_message', status: 'completed', detail, metadata }));
        await add('item_9', 'turn_y', 'third');
        await add('item_1', 'turn_y', 'fourth', { k: true });
        await add('item_8', 'turn_z', 'first');
        await add('item_7', 'turn_z');
        await add('item_5', 'turn_a', 'superseded');
        await add('item_4', 'turn_x', 'other thread');
        await tx.turns.markSuperseded('turn_a', 'turn_y');
      });
      const rows = await store.read((tx) => tx.items.listHistory('thr_1'));
      const turnFacts = (turnId: string, superseded: boolean) => ({ turnId, turnKind: 'prompt', turnStatus: 'in_progress', superseded, reverted: false });
      assert.deepStrictEqual(
        wire(rows),
        [
          { ...turnFacts('turn_z', false), kind: 'user_message', status: 'completed', detail: 'first' },
          { ...turnFacts('turn_z', false), kind: 'user_message', status: 'completed', detail: '' },
          { ...turnFacts('turn_a', true), kind: 'user_message', status: 'completed', detail: 'superseded' },
          { ...turnFacts('turn_y', false), kind: 'user_message', status: 'completed', detail: 'third' },
          { ...turnFacts('turn_y', false), kind: 'user_message', status: 'completed', detail: 'fourth', metadata: { k: true } },
        ],
      );
      for (const row of rows) assertNoNulls(row, 'history row');
      assert.deepStrictEqual(await store.read((tx) => tx.items.listHistory('thr_none')), []);
    });
  });
}
