import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, newThread, newTurn, newItem, type OpenStore } from './fixtures.js';
import type { NewEvent, WriteTx } from '../../src/store/port.js';

/** The byte cap port.ts names for one page ("a page stops short past ~4 MiB"). */
const PAGE_CAP = 4 * 1024 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Appends an event of `kind` at the thread's next seq. */
async function append(tx: WriteTx, threadId: string, kind: string, payload: unknown, extra: Partial<NewEvent> = {}) {
  return tx.events.append({ threadId, seq: await tx.threads.nextSeq(threadId), kind, payload, time: at(1), ...extra });
}

export function eventContract(open: OpenStore): void {
  describe('events', () => {
    test('append returns exactly what page reads back: same values, same keys, same order', async (t) => {
      const { store } = await open(t);
      const appended = await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        await tx.items.insert(newItem('item_1', 'turn_1', 'thr_1'));
        return [
          await append(tx, 'thr_1', 'thread.created', { z: 1, a: { y: [1, 2.5, 'x', null, false], b: {} } }),
          await append(tx, 'thr_1', 'turn.started', { text: 'ünïcødé ✓ 漢字 \u2028 "quoted" \\' }, { turnId: 'turn_1' }),
          await append(tx, 'thr_1', 'item.delta', { text: 'hi' }, { turnId: 'turn_1', itemId: 'item_1' }),
          await append(tx, 'thr_1', 'x.empty', [], { time: at(2) }),
        ];
      });
      const page = await store.read((tx) => tx.events.page('thr_1', 0, 100));
      assert.deepStrictEqual(page, appended);
      assert.equal(JSON.stringify(page), JSON.stringify(appended));
      assert.deepStrictEqual(Object.keys(page[2]!), ['seq', 'threadId', 'turnId', 'itemId', 'kind', 'payload', 'time']);
      assert.deepStrictEqual(Object.keys(page[0]!), ['seq', 'threadId', 'kind', 'payload', 'time']);
    });

    test(
      'append of a payload holding a store record returns what page reads back, as JSON',
      async (t) => {
        const { store } = await open(t);
        const appended = await store.write(async (tx) => {
          await tx.threads.insert(newThread('thr_1'));
          return append(tx, 'thr_1', 'thread.created', { thread: await tx.threads.find('thr_1') });
        });
        const page = await store.read((tx) => tx.events.page('thr_1', 0, 1));
        assert.equal(JSON.stringify(page[0]), JSON.stringify(appended));
      },
    );

    test('page reads the thread’s events after afterSeq, oldest first, at most limit', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        for (let i = 1; i <= 5; i++) {
          await append(tx, 'thr_1', 'n', { i });
          await append(tx, 'thr_2', 'n', { i: -i });
        }
      });
      await store.read(async (tx) => {
        const seqs = async (after: number, limit: number) => (await tx.events.page('thr_1', after, limit)).map((e) => [e.seq, (e.payload as unknown as { i: number }).i]);
        assert.deepStrictEqual(await seqs(0, 100), [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
        assert.deepStrictEqual(await seqs(0, 2), [[1, 1], [2, 2]]);
        assert.deepStrictEqual(await seqs(3, 100), [[4, 4], [5, 5]]);
        assert.deepStrictEqual(await seqs(5, 100), []);
        assert.deepStrictEqual(await tx.events.page('thr_none', 0, 10), []);
        assert.ok((await tx.events.page('thr_2', 0, 10)).every((e) => e.threadId === 'thr_2'));
      });
    });

    test('a page stops short past ~4 MiB of UTF-8, never empty, and the next page goes on', async (t) => {
      const { store } = await open(t);
      // 500,000 CJK characters are 1.5 MB of UTF-8: two fit in 4 MiB, three do not (by bytes, not characters).
      const big = '漢'.repeat(500_000);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        for (let i = 0; i < 4; i++) await append(tx, 'thr_1', 'big', { i, big });
      });
      const pages: number[][] = [];
      await store.read(async (tx) => {
        for (let after = 0, guard = 0; after < 4 && guard < 10; guard++) {
          const page = await tx.events.page('thr_1', after, 100);
          assert.ok(page.length > 0, `the page after ${after} is empty`);
          assert.ok(bytes(page.slice(0, -1)) <= PAGE_CAP, `a page of ${bytes(page)} bytes went on past the cap`);
          pages.push(page.map((e) => e.seq));
          after = page[page.length - 1]!.seq;
        }
      });
      assert.ok(pages[0]!.length < 3, `the first page holds ${pages[0]!.length} events: the cap is not in bytes`);
      assert.deepStrictEqual(pages.flat(), [1, 2, 3, 4]);
    });

    test('an event larger than the cap still comes, alone on its page', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await append(tx, 'thr_1', 'huge', { text: 'x'.repeat(PAGE_CAP + 1000) });
        await append(tx, 'thr_1', 'small', {});
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual((await tx.events.page('thr_1', 0, 10)).map((e) => e.kind), ['huge']);
        assert.deepStrictEqual((await tx.events.page('thr_1', 1, 10)).map((e) => e.kind), ['small']);
      });
    });

    test('pageJson, when the adapter has it, is JSON.stringify of the same page', async (t) => {
      const { store } = await open(t);
      if (!await store.read(async (tx) => tx.events.pageJson)) return t.skip('this adapter has no pageJson');
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await append(tx, 'thr_1', 'a', { nested: { z: 1, a: ['✓', null] } }, { turnId: 'turn_1' });
        await append(tx, 'thr_1', 'b', { big: 'é'.repeat(1_100_000) }, { itemId: 'item_1' });
        await append(tx, 'thr_1', 'c', { big: 'é'.repeat(1_100_000) });
        await append(tx, 'thr_1', 'd', 'a string payload');
        // Strings JSON escapes (the SQLite adapter's SQL writes them: json_quote must print what JSON.stringify does).
        await append(tx, 'thr_1', 'e\n\t\b\f\r"\\\u0001\u001f\u007f\u2028😀', 0, { turnId: 'turn_"\\\n', itemId: 'item_é\u0007' });
      });
      await store.read(async (tx) => {
        for (const [after, limit] of [[0, 100], [0, 1], [1, 2], [2, 100], [4, 100], [0, 0]] as const) {
          assert.equal(await tx.events.pageJson!('thr_1', after, limit), JSON.stringify(await tx.events.page('thr_1', after, limit)), `after ${after}, limit ${limit}`);
        }
        assert.equal(await tx.events.pageJson!('thr_none', 0, 10), '[]');
      });
    });

    test('concatDeltas joins one item’s deltas after afterSeq, reading until past maxChars', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        const delta = (itemId: string, text: string) => append(tx, 'thr_1', 'item.delta', { text }, { turnId: 'turn_1', itemId });
        await delta('item_1', 'ab'); // seq 1
        await delta('item_1', 'cd'); // seq 2
        await delta('item_2', 'XX');
        await append(tx, 'thr_1', 'item.completed', { text: 'not a delta' }, { itemId: 'item_1' });
        await delta('item_1', 'ef');
        await delta('item_1', 'gh');
      });
      await store.read(async (tx) => {
        assert.equal(await tx.events.concatDeltas('thr_1', 0, 'item_1', 1000), 'abcdefgh');
        assert.equal(await tx.events.concatDeltas('thr_1', 1, 'item_1', 1000), 'cdefgh');
        assert.equal(await tx.events.concatDeltas('thr_1', 0, 'item_2', 1000), 'XX');
        assert.equal(await tx.events.concatDeltas('thr_1', 0, 'item_none', 1000), '');
        const capped = await tx.events.concatDeltas('thr_1', 0, 'item_1', 3);
        assert.ok(capped.length > 3 && 'abcdefgh'.startsWith(capped), `capped read: ${capped}`);
      });
    });
  });
}
