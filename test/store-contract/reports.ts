import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CopiedTurn, WriteTx } from '../../src/store/port.js';
import { at, newItem, newThread, seedTurn, type OpenStore } from './fixtures.js';

/** A finished message: what the search index holds. */
async function message(tx: WriteTx, id: string, turnId: string, threadId: string, text: string, kind: 'user_message' | 'agent_message' = 'user_message') {
  await tx.items.insert(newItem(id, turnId, threadId, { kind, status: 'completed', summary: text, detail: text }));
}

function endedTurn(id: string, threadId: string, startSeq: number, over: Partial<CopiedTurn> = {}): CopiedTurn {
  return { id, threadId, kind: 'prompt', status: 'completed', inputSummary: id, options: {}, createdAt: at(0), steerCount: 0, startSeq, ...over };
}

export function reportContract(open: OpenStore): void {
  describe('reports: search and usage', () => {
    test('search finds titles and finished user/agent messages by word and prefix, case-insensitively', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a', { title: 'Budget Review' }));
        await seedTurn(tx, 'thr_b', 'turn_b');
        await message(tx, 'item_1', 'turn_b', 'thr_b', 'the budget is tight');
        await tx.items.insert(newItem('item_2', 'turn_b', 'thr_b', { kind: 'agent_message', detail: 'budget streaming' }));
        await tx.items.insert(newItem('item_3', 'turn_b', 'thr_b', { kind: 'reasoning', status: 'completed', detail: 'budget thoughts' }));
      });
      const found = await store.read((tx) => tx.reports.search(['BUDG'], false, 10, 0));
      assert.deepStrictEqual(new Set(found.map((h) => `${h.thread.id}/${h.itemId}`)), new Set(['thr_a/null', 'thr_b/item_1']), 'not streaming, not reasoning');
      assert.deepStrictEqual(await store.read((tx) => tx.reports.searchIndexSize()), { titles: 2, messages: 1 });

      await store.write((tx) => tx.items.finish('item_2', { status: 'completed', summary: 's', detail: 'final budget answer', endedAt: at(30) }));
      const after = await store.read((tx) => tx.reports.search(['answer'], false, 10, 0));
      assert.deepStrictEqual(after.map((h) => [h.thread.id, h.turnId, h.itemId]), [['thr_b', 'turn_b', 'item_2']]);
      assert.match(after[0]!.snippet, /answer/);
    });

    test('search keeps in step with retitles, copies, deletes and rollbacks', async (t) => {
      const { store } = await open(t);
      await store.write((tx) => tx.threads.insert(newThread('thr_a', { title: 'first' })));
      await store.write((tx) =>
        tx.threads.updateSettings('thr_a', { title: 'second', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(5)),
      );
      assert.deepStrictEqual(await store.read((tx) => tx.reports.search(['first'], false, 10, 0)), []);
      assert.equal((await store.read((tx) => tx.reports.search(['second'], false, 10, 0))).length, 1);

      await store.write(async (tx) => {
        await tx.turns.insertCopy(endedTurn('turn_c', 'thr_a', 0));
        await tx.items.insertCopy({ id: 'item_c', turnId: 'turn_c', threadId: 'thr_a', kind: 'agent_message', status: 'completed', summary: 'copied', detail: 'copied words' });
      });
      assert.equal((await store.read((tx) => tx.reports.search(['copied'], false, 10, 0))).length, 1);

      await assert.rejects(async () =>
        store.write(async (tx) => {
          await tx.threads.insert(newThread('thr_gone', { title: 'rolledback' }));
          throw new Error('abort');
        }),
      );
      assert.deepStrictEqual(await store.read((tx) => tx.reports.search(['rolledback'], false, 10, 0)), []);

      await store.write((tx) => tx.threads.delete('thr_a'));
      assert.deepStrictEqual(await store.read((tx) => tx.reports.search(['second'], false, 10, 0)), []);
      assert.deepStrictEqual(await store.read((tx) => tx.reports.search(['copied'], false, 10, 0)), []);
      assert.deepStrictEqual(await store.read((tx) => tx.reports.searchIndexSize()), { titles: 0, messages: 0 });
    });

    test('search filters by archived, ranks and pages by offset in one order and treats operator text as words', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        for (let i = 0; i < 7; i++) await tx.threads.insert(newThread(`thr_${i}`, { title: `shared word ${i}` }));
        await tx.threads.insert(newThread('thr_best', { title: 'shared shared shared shared' }));
        await tx.threads.insert(newThread('thr_old', { title: 'shared archived' }));
        await tx.threads.setArchived('thr_old', true, at(1));
        await tx.threads.insert(newThread('thr_ops', { title: 'NOT AND OR near' }));
      });
      const all = (await store.read((tx) => tx.reports.search(['shared'], false, 100, 0))).map((h) => h.thread.id);
      assert.equal(all[0], 'thr_best', 'the title that holds the word most often ranks first (bm25 and ts_rank alike)');
      const seen: string[] = [];
      for (let offset = 0; ; offset += 3) {
        const page = await store.read((tx) => tx.reports.search(['shared'], false, 3, offset));
        if (page.length === 0) break;
        seen.push(...page.map((h) => h.thread.id));
      }
      assert.deepStrictEqual(seen, all, 'pages by offset follow the one order');
      const keys = await store.read((tx) => tx.reports.searchKeys(['shared'], false, 4, 2));
      const hits = await store.read((tx) => tx.reports.search(['shared'], false, 4, 2));
      assert.deepStrictEqual(keys, hits.map((h) => h.key), 'searchKeys: the same hits, in the same order');
      assert.deepStrictEqual(await store.read((tx) => tx.reports.searchKeys([], false, 4, 0)), []);
      for (const h of hits) assert.deepStrictEqual(h.thread, await store.read(async (tx) => (await tx.threads.find(h.thread.id))!), 'each hit carries its thread as threads.find reads it');
      assert.deepStrictEqual([...seen].sort(), ['thr_0', 'thr_1', 'thr_2', 'thr_3', 'thr_4', 'thr_5', 'thr_6', 'thr_best']);
      assert.deepStrictEqual((await store.read((tx) => tx.reports.search(['shared'], true, 10, 0))).map((h) => h.thread.id), ['thr_old']);
      for (const terms of [['NOT'], ['AND', 'OR'], ['"'], ['*'], ['near(']]) await store.read((tx) => tx.reports.search(terms, false, 10, 0));
      assert.deepStrictEqual((await store.read((tx) => tx.reports.search(['not', 'and'], false, 10, 0))).map((h) => h.thread.id), ['thr_ops']);
      assert.deepStrictEqual(await store.read((tx) => tx.reports.search([], false, 10, 0)), []);
    });

    test('search breaks rank ties by key, so offset pages of equal-ranked hits neither repeat nor skip', async (t) => {
      const { store } = await open(t);
      // Same text, same length: every hit has the same rank, so only the tie-break orders them
      // (the SQLite adapter leaves it to FTS5's own rank sort, which must yield ties in key order).
      await store.write(async (tx) => {
        for (let i = 0; i < 25; i++) await tx.threads.insert(newThread(`thr_${i}`, { title: 'tied words' }));
      });
      const all = await store.read((tx) => tx.reports.search(['tied'], false, 100, 0));
      assert.equal(all.length, 25);
      assert.deepStrictEqual(all.map((h) => h.key), all.map((h) => h.key).sort((a, b) => a - b), 'ties in key order');
      const paged = [];
      for (let offset = 0; offset < 25; offset += 4) paged.push(...(await store.read((tx) => tx.reports.search(['tied'], false, 4, offset))));
      assert.deepStrictEqual(paged.map((h) => h.key), all.map((h) => h.key));
    });

    test('search: a rolled-back savepoint leaves no entry; a streamed message is found once, when finished', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_kept', { title: 'kept' }));
        await seedTurn(tx, 'thr_kept', 'turn_k');
        await assert.rejects(
          tx.savepoint(async () => {
            await tx.threads.insert(newThread('thr_undone', { title: 'undone' }));
            await message(tx, 'item_undone', 'turn_k', 'thr_kept', 'undone message');
            await tx.threads.updateSettings('thr_kept', { title: 'retitled', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(2));
            throw new Error('abort');
          }),
        );
        await tx.items.insert(newItem('item_s', 'turn_k', 'thr_kept', { kind: 'agent_message', status: 'in_progress', summary: '', now: at(3) }));
      });
      const find = async (word: string) => (await store.read((tx) => tx.reports.search([word], false, 10, 0))).map((h) => h.itemId ?? h.thread.id);
      assert.deepStrictEqual([await find('undone'), await find('retitled'), await find('kept')], [[], [], ['thr_kept']]);
      assert.deepStrictEqual(await store.read((tx) => tx.reports.searchIndexSize()), { titles: 1, messages: 0 }, 'a streaming message is not indexed');
      await store.write((tx) => tx.items.finish('item_s', { status: 'completed', summary: 'streamed', detail: 'streamed answer', endedAt: at(4) }));
      assert.deepStrictEqual(await find('streamed'), ['item_s']);
      assert.deepStrictEqual(await store.read((tx) => tx.reports.searchIndexSize()), { titles: 1, messages: 1 });
    });

    test('usage groups ended turns in [since, until] by day, model or thread, sorted by key; cost null without a price', async (t) => {
      const { store } = await open(t);
      const day = (d: number, h = 12) => new Date(Date.UTC(2026, 0, d, h)).toISOString();
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_a'));
        await tx.threads.insert(newThread('thr_b'));
        await tx.turns.insertCopy(endedTurn('turn_1', 'thr_a', 1, { model: 'm2', createdAt: day(1), usage: { inputTokens: 10, outputTokens: 1, cachedInputTokens: 4, costUsd: 0.5 } }));
        await tx.turns.insertCopy(endedTurn('turn_2', 'thr_a', 2, { status: 'interrupted', createdAt: day(2), usage: { inputTokens: 5, outputTokens: 2, reasoningTokens: 1 } }));
        await tx.turns.insertCopy(endedTurn('turn_3', 'thr_b', 3, { model: 'm1', status: 'failed', createdAt: day(2, 23) }));
        await tx.turns.insert({ id: 'turn_run', threadId: 'thr_b', inputSummary: 'x', options: {}, now: day(2), startSeq: 4 });
        // A fork's copy (start seq below 1) repeats spending that already happened: not counted.
        await tx.turns.insertCopy(endedTurn('turn_copy', 'thr_b', -1, { createdAt: day(1), usage: { inputTokens: 1000, outputTokens: 1000 } }));
      });
      const rows = (g: 'day' | 'model' | 'thread', range = {}) => store.read((tx) => tx.reports.usage(g, range));
      assert.deepStrictEqual(await rows('day'), [
        { key: '2026-01-01', turns: 1, inputTokens: 10, cachedInputTokens: 4, outputTokens: 1, reasoningTokens: 0, costUsd: 0.5 },
        { key: '2026-01-02', turns: 2, inputTokens: 5, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 1, costUsd: null },
      ]);
      assert.deepStrictEqual((await rows('model')).map((r) => [r.key, r.turns]), [['m1', 1], ['m2', 1], ['unknown', 1]]);
      assert.deepStrictEqual((await rows('thread')).map((r) => [r.key, r.turns]), [['thr_a', 2], ['thr_b', 1]]);
      assert.deepStrictEqual((await rows('thread', { threadId: 'thr_b' })).map((r) => r.key), ['thr_b']);
      assert.deepStrictEqual((await rows('day', { since: day(2), until: day(2) })).map((r) => [r.key, r.turns]), [['2026-01-02', 1]]);
      assert.deepStrictEqual(await rows('day', { since: day(3) }), []);
    });
  });
}
