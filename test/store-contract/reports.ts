import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CopiedTurn, WriteTx } from '../../src/store/port.js';
import { at, newItem, newThread, seedTurn, type OpenStore } from './fixtures.js';

/** A finished message: what the search index holds. */
function message(tx: WriteTx, id: string, turnId: string, threadId: string, text: string, kind: 'user_message' | 'agent_message' = 'user_message') {
  tx.items.insert(newItem(id, turnId, threadId, { kind, status: 'completed', summary: text, detail: text }));
}

function endedTurn(id: string, threadId: string, startSeq: number, over: Partial<CopiedTurn> = {}): CopiedTurn {
  return { id, threadId, kind: 'prompt', status: 'completed', inputSummary: id, options: {}, createdAt: at(0), steerCount: 0, startSeq, ...over };
}

export function reportContract(open: OpenStore): void {
  describe('reports: search and usage', () => {
    test('search finds titles and finished user/agent messages by word and prefix, case-insensitively', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_a', { title: 'Budget Review' }));
        seedTurn(tx, 'thr_b', 'turn_b');
        message(tx, 'item_1', 'turn_b', 'thr_b', 'the budget is tight');
        tx.items.insert(newItem('item_2', 'turn_b', 'thr_b', { kind: 'agent_message', detail: 'budget streaming' }));
        tx.items.insert(newItem('item_3', 'turn_b', 'thr_b', { kind: 'reasoning', status: 'completed', detail: 'budget thoughts' }));
      });
      const found = store.read((tx) => tx.reports.search(['BUDG'], false, 10, 0));
      assert.deepStrictEqual(new Set(found.map((h) => `${h.threadId}/${h.itemId}`)), new Set(['thr_a/null', 'thr_b/item_1']), 'not streaming, not reasoning');
      assert.deepStrictEqual(store.read((tx) => tx.reports.searchIndexSize()), { titles: 2, messages: 1 });

      store.write((tx) => tx.items.finish('item_2', { status: 'completed', summary: 's', detail: 'final budget answer', endedAt: at(30) }));
      const after = store.read((tx) => tx.reports.search(['answer'], false, 10, 0));
      assert.deepStrictEqual(after.map((h) => [h.threadId, h.turnId, h.itemId]), [['thr_b', 'turn_b', 'item_2']]);
      assert.match(after[0]!.snippet, /answer/);
    });

    test('search keeps in step with retitles, copies, deletes and rollbacks', (t) => {
      const { store } = open(t);
      store.write((tx) => tx.threads.insert(newThread('thr_a', { title: 'first' })));
      store.write((tx) =>
        tx.threads.updateSettings('thr_a', { title: 'second', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(5)),
      );
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['first'], false, 10, 0)), []);
      assert.equal(store.read((tx) => tx.reports.search(['second'], false, 10, 0)).length, 1);

      store.write((tx) => {
        tx.turns.insertCopy(endedTurn('turn_c', 'thr_a', 0));
        tx.items.insertCopy({ id: 'item_c', turnId: 'turn_c', threadId: 'thr_a', kind: 'agent_message', status: 'completed', summary: 'copied', detail: 'copied words' });
      });
      assert.equal(store.read((tx) => tx.reports.search(['copied'], false, 10, 0)).length, 1);

      assert.throws(() =>
        store.write((tx) => {
          tx.threads.insert(newThread('thr_gone', { title: 'rolledback' }));
          throw new Error('abort');
        }),
      );
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['rolledback'], false, 10, 0)), []);

      store.write((tx) => tx.threads.delete('thr_a'));
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['second'], false, 10, 0)), []);
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['copied'], false, 10, 0)), []);
      assert.deepStrictEqual(store.read((tx) => tx.reports.searchIndexSize()), { titles: 0, messages: 0 });
    });

    test('search filters by archived, pages by offset in (rank, key) order and treats operator text as words', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        for (let i = 0; i < 7; i++) tx.threads.insert(newThread(`thr_${i}`, { title: `shared word ${i}` }));
        tx.threads.insert(newThread('thr_old', { title: 'shared archived' }));
        tx.threads.setArchived('thr_old', true, at(1));
        tx.threads.insert(newThread('thr_ops', { title: 'NOT AND OR near' }));
      });
      const seen: string[] = [];
      for (let offset = 0; ; offset += 3) {
        const page = store.read((tx) => tx.reports.search(['shared'], false, 3, offset));
        if (page.length === 0) break;
        assert.ok(page.every((h, i) => i === 0 || h.rank >= page[i - 1]!.rank), 'best (lowest rank) first');
        seen.push(...page.map((h) => h.threadId));
      }
      assert.deepStrictEqual(seen.sort(), ['thr_0', 'thr_1', 'thr_2', 'thr_3', 'thr_4', 'thr_5', 'thr_6']);
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['shared'], true, 10, 0)).map((h) => h.threadId), ['thr_old']);
      for (const terms of [['NOT'], ['AND', 'OR'], ['"'], ['*'], ['near(']]) store.read((tx) => tx.reports.search(terms, false, 10, 0));
      assert.deepStrictEqual(store.read((tx) => tx.reports.search(['not', 'and'], false, 10, 0)).map((h) => h.threadId), ['thr_ops']);
      assert.deepStrictEqual(store.read((tx) => tx.reports.search([], false, 10, 0)), []);
    });

    test('search breaks rank ties by key, so offset pages of equal-ranked hits neither repeat nor skip', (t) => {
      const { store } = open(t);
      // Same text, same length: every hit has the same rank, so only the tie-break orders them
      // (the SQLite adapter leaves it to FTS5's own rank sort, which must yield ties in key order).
      store.write((tx) => {
        for (let i = 0; i < 25; i++) tx.threads.insert(newThread(`thr_${i}`, { title: 'tied words' }));
      });
      const all = store.read((tx) => tx.reports.search(['tied'], false, 100, 0));
      assert.equal(all.length, 25);
      assert.ok(all.every((h) => h.rank === all[0]!.rank), 'the fixture ties every hit');
      assert.deepStrictEqual(all.map((h) => h.key), all.map((h) => h.key).sort((a, b) => a - b), 'ties in key order');
      const paged = [];
      for (let offset = 0; offset < 25; offset += 4) paged.push(...store.read((tx) => tx.reports.search(['tied'], false, 4, offset)));
      assert.deepStrictEqual(paged.map((h) => h.key), all.map((h) => h.key));
    });

    test('search: a rolled-back savepoint leaves no entry; a streamed message is found once, when finished', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_kept', { title: 'kept' }));
        seedTurn(tx, 'thr_kept', 'turn_k');
        assert.throws(() =>
          tx.savepoint(() => {
            tx.threads.insert(newThread('thr_undone', { title: 'undone' }));
            message(tx, 'item_undone', 'turn_k', 'thr_kept', 'undone message');
            tx.threads.updateSettings('thr_kept', { title: 'retitled', model: null, mode: null, systemPrompt: null, autoApprove: false, trustMode: false, metadata: {} }, at(2));
            throw new Error('abort');
          }),
        );
        tx.items.insert(newItem('item_s', 'turn_k', 'thr_kept', { kind: 'agent_message', status: 'in_progress', summary: '', now: at(3) }));
      });
      const find = (word: string) => store.read((tx) => tx.reports.search([word], false, 10, 0)).map((h) => h.itemId ?? h.threadId);
      assert.deepStrictEqual([find('undone'), find('retitled'), find('kept')], [[], [], ['thr_kept']]);
      assert.deepStrictEqual(store.read((tx) => tx.reports.searchIndexSize()), { titles: 1, messages: 0 }, 'a streaming message is not indexed');
      store.write((tx) => tx.items.finish('item_s', { status: 'completed', summary: 'streamed', detail: 'streamed answer', endedAt: at(4) }));
      assert.deepStrictEqual(find('streamed'), ['item_s']);
      assert.deepStrictEqual(store.read((tx) => tx.reports.searchIndexSize()), { titles: 1, messages: 1 });
    });

    test('usage groups ended turns in [since, until] by day, model or thread, sorted by key; cost null without a price', (t) => {
      const { store } = open(t);
      const day = (d: number, h = 12) => new Date(Date.UTC(2026, 0, d, h)).toISOString();
      store.write((tx) => {
        tx.threads.insert(newThread('thr_a'));
        tx.threads.insert(newThread('thr_b'));
        tx.turns.insertCopy(endedTurn('turn_1', 'thr_a', 1, { model: 'm2', createdAt: day(1), usage: { inputTokens: 10, outputTokens: 1, cachedInputTokens: 4, costUsd: 0.5 } }));
        tx.turns.insertCopy(endedTurn('turn_2', 'thr_a', 2, { status: 'interrupted', createdAt: day(2), usage: { inputTokens: 5, outputTokens: 2, reasoningTokens: 1 } }));
        tx.turns.insertCopy(endedTurn('turn_3', 'thr_b', 3, { model: 'm1', status: 'failed', createdAt: day(2, 23) }));
        tx.turns.insert({ id: 'turn_run', threadId: 'thr_b', inputSummary: 'x', options: {}, now: day(2), startSeq: 4 });
        // A fork's copy (start seq below 1) repeats spending that already happened: not counted.
        tx.turns.insertCopy(endedTurn('turn_copy', 'thr_b', -1, { createdAt: day(1), usage: { inputTokens: 1000, outputTokens: 1000 } }));
      });
      const rows = (g: 'day' | 'model' | 'thread', range = {}) => store.read((tx) => tx.reports.usage(g, range));
      assert.deepStrictEqual(rows('day'), [
        { key: '2026-01-01', turns: 1, inputTokens: 10, cachedInputTokens: 4, outputTokens: 1, reasoningTokens: 0, costUsd: 0.5 },
        { key: '2026-01-02', turns: 2, inputTokens: 5, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 1, costUsd: null },
      ]);
      assert.deepStrictEqual(rows('model').map((r) => [r.key, r.turns]), [['m1', 1], ['m2', 1], ['unknown', 1]]);
      assert.deepStrictEqual(rows('thread').map((r) => [r.key, r.turns]), [['thr_a', 2], ['thr_b', 1]]);
      assert.deepStrictEqual(rows('thread', { threadId: 'thr_b' }).map((r) => r.key), ['thr_b']);
      assert.deepStrictEqual(rows('day', { since: day(2), until: day(2) }).map((r) => [r.key, r.turns]), [['2026-01-02', 1]]);
      assert.deepStrictEqual(rows('day', { since: day(3) }), []);
    });
  });
}
