import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newItem, newThread, newTurn, seedTurn, wire, type OpenStore } from './fixtures.js';

export function itemContract(open: OpenStore): void {
  describe('items and history', () => {
    test('insert returns the item as find reads it, absent fields omitted', (t) => {
      const { store } = open(t);
      const inserted = store.write((tx) => {
        seedTurn(tx, 'thr_1', 'turn_1');
        return tx.items.insert(newItem('item_1', 'turn_1', 'thr_1', { kind: 'reasoning', summary: 'thinking' }));
      });
      const found = store.read((tx) => tx.items.find('item_1'));
      assertNoNulls(found, 'item');
      assert.deepStrictEqual(wire(inserted), wire(found));
      assert.deepStrictEqual(wire(found), {
        id: 'item_1', turnId: 'turn_1', kind: 'reasoning', status: 'in_progress', summary: 'thinking', startedAt: at(20),
      });
      assert.equal(store.read((tx) => tx.items.find('item_none')), undefined);
    });

    test('detail and metadata round-trip', (t) => {
      const { store } = open(t);
      const metadata = { tool: 'shell', args: { argv: ['ls', '-l'] }, exit: 0 };
      const item = store.write((tx) => {
        seedTurn(tx, 'thr_1', 'turn_1');
        return tx.items.insert(
          newItem('item_1', 'turn_1', 'thr_1', { kind: 'tool_call', status: 'completed', summary: 'ls', detail: 'ls -l ✓', metadata }),
        );
      });
      assert.equal(item.detail, 'ls -l ✓');
      assert.deepStrictEqual(item.metadata, metadata);
      assert.equal(item.status, 'completed');
    });

    test('finish ends an item: metadata replaced when given, kept when not', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        seedTurn(tx, 'thr_1', 'turn_1');
        tx.items.insert(newItem('item_keep', 'turn_1', 'thr_1', { metadata: { a: 1 } }));
        tx.items.insert(newItem('item_swap', 'turn_1', 'thr_1', { metadata: { a: 1 } }));
      });
      const [kept, swapped] = store.write((tx) => [
        tx.items.finish('item_keep', { status: 'completed', summary: 'done', detail: 'done in full', endedAt: at(40) }),
        tx.items.finish('item_swap', { status: 'failed', summary: 'oops', detail: 'oops', metadata: { b: 2 }, endedAt: at(41) }),
      ]);
      assert.deepStrictEqual(wire(kept), {
        id: 'item_keep', turnId: 'turn_1', kind: 'agent_message', status: 'completed', summary: 'done', detail: 'done in full',
        metadata: { a: 1 }, startedAt: at(20), endedAt: at(40),
      });
      assert.deepStrictEqual(swapped?.metadata, { b: 2 });
      assert.equal(swapped?.status, 'failed');
      store.read((tx) => {
        assert.deepStrictEqual(wire(tx.items.find('item_keep')), wire(kept));
        assert.deepStrictEqual(wire(tx.items.find('item_swap')), wire(swapped));
      });
    });

    test('listOfTurn keeps insertion order; listOpenOfTurn only the in-progress ones', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        seedTurn(tx, 'thr_1', 'turn_1');
        seedTurn(tx, 'thr_1', 'turn_2', 2);
        for (const id of ['item_z', 'item_a', 'item_m', 'item_b']) tx.items.insert(newItem(id, 'turn_1', 'thr_1'));
        tx.items.insert(newItem('item_other', 'turn_2', 'thr_1'));
        tx.items.finish('item_a', { status: 'completed', summary: '', endedAt: at(30) });
      });
      store.read((tx) => {
        assert.deepStrictEqual(tx.items.listOfTurn('turn_1').map((x) => x.id), ['item_z', 'item_a', 'item_m', 'item_b']);
        assert.deepStrictEqual(tx.items.listOpenOfTurn('turn_1').map((x) => x.id), ['item_z', 'item_m', 'item_b']);
        assert.deepStrictEqual(tx.items.listOfTurn('turn_none'), []);
      });
    });

    test("listHistory orders every item by turn, then item position, with its turn's facts (superseded marked)", (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_2'));
        // Ids sort against conversation order, so only start seq and position can order them.
        tx.turns.insert(newTurn('turn_z', 'thr_1', 1));
        tx.turns.insert(newTurn('turn_y', 'thr_1', 6));
        tx.turns.insert(newTurn('turn_a', 'thr_1', 3));
        tx.turns.insert(newTurn('turn_x', 'thr_2', 2));
        const add = (id: string, turn: string, detail?: string, metadata?: Record<string, unknown>) =>
          tx.items.insert(newItem(id, turn, turn === 'turn_x' ? 'thr_2' : 'thr_1', { kind: 'user_message', status: 'completed', detail, metadata }));
        add('item_9', 'turn_y', 'third');
        add('item_1', 'turn_y', 'fourth', { k: true });
        add('item_8', 'turn_z', 'first');
        add('item_7', 'turn_z');
        add('item_5', 'turn_a', 'superseded');
        add('item_4', 'turn_x', 'other thread');
        tx.turns.markSuperseded('turn_a', 'turn_y');
      });
      const rows = store.read((tx) => tx.items.listHistory('thr_1'));
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
      assert.deepStrictEqual(store.read((tx) => tx.items.listHistory('thr_none')), []);
    });
  });
}
