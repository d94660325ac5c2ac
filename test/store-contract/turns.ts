import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newItem, newThread, newTurn, wire, type OpenStore } from './fixtures.js';
import type { TurnEnd } from '../../src/store/port.js';

const usage = { inputTokens: 12, outputTokens: 34, cachedInputTokens: 5, reasoningTokens: 6, costUsd: 0.25 };
const end = (status: TurnEnd['status'], over: Partial<TurnEnd> = {}): TurnEnd => ({ status, endedAt: at(99), durationMs: 89_000, ...over });

export function turnContract(open: OpenStore): void {
  describe('turns', () => {
    test('a new turn reads back in progress, with its options, and absent fields omitted', (t) => {
      const { store } = open(t);
      const options = { mode: 'edit', temperature: 0.5, topP: 0.9, maxTokens: 100, autoApprove: true, trustMode: false, allowShell: true };
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.turns.insert(newTurn('turn_min', 'thr_1', 4));
        tx.turns.insert(newTurn('turn_opt', 'thr_1', 5, { model: 'm-2', options }));
      });
      store.read((tx) => {
        const found = tx.turns.find('turn_min');
        assertNoNulls(found, 'turn');
        const { startedAt, ...rest } = wire(found)!;
        assert.deepStrictEqual(rest, {
          id: 'turn_min', threadId: 'thr_1', status: 'in_progress', inputSummary: 'prompt of turn_min', createdAt: at(10), itemIds: [], steerCount: 0, kind: 'prompt',
        });
        assert.ok(startedAt === undefined || startedAt === at(10), `startedAt ${startedAt}`);
        assert.deepStrictEqual(tx.turns.findStored('turn_min')?.options, {});
        const stored = tx.turns.findStored('turn_opt');
        assert.deepStrictEqual(stored?.options, options);
        assert.equal(stored?.turn.model, 'm-2');
        assert.equal(tx.turns.startSeq('turn_opt'), 5);
        assert.equal(tx.turns.startSeq('turn_none'), 0);
        assert.equal(tx.turns.find('turn_none'), undefined);
        assert.equal(tx.turns.findStored('turn_none'), undefined);
      });
    });

    test('finish ends an in-progress turn once: true, then false and the first end stays', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        tx.turns.insert(newTurn('turn_2', 'thr_1', 2));
      });
      assert.equal(store.write((tx) => tx.turns.finish('turn_1', end('completed', { usage }))), true);
      assert.equal(store.write((tx) => tx.turns.finish('turn_1', end('failed', { error: 'late' }))), false);
      assert.equal(store.write((tx) => tx.turns.finish('turn_none', end('failed'))), false);
      assert.equal(store.write((tx) => tx.turns.finish('turn_2', end('interrupted', { error: 'server restarted' }))), true);
      store.read((tx) => {
        const done = tx.turns.find('turn_1');
        assertNoNulls(done, 'turn');
        assert.deepStrictEqual(
          { status: done?.status, endedAt: done?.endedAt, durationMs: done?.durationMs, usage: done?.usage, error: done?.error },
          { status: 'completed', endedAt: at(99), durationMs: 89_000, usage, error: undefined },
        );
        const cut = tx.turns.find('turn_2');
        assert.equal(cut?.status, 'interrupted');
        assert.equal(cut?.error, 'server restarted');
        assert.equal(wire(cut)?.usage, undefined);
      });
    });

    test('listOfThread orders turns by start seq; itemIds lists items in insertion order', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_2'));
        tx.turns.insert(newTurn('turn_late', 'thr_1', 7));
        tx.turns.insert(newTurn('turn_early', 'thr_1', 3));
        tx.turns.insert(newTurn('turn_other', 'thr_2', 1));
        for (const id of ['item_z', 'item_a', 'item_m']) tx.items.insert(newItem(id, 'turn_late', 'thr_1'));
      });
      store.read((tx) => {
        assert.deepStrictEqual(tx.turns.listOfThread('thr_1').map((x) => x.id), ['turn_early', 'turn_late']);
        assert.deepStrictEqual(tx.turns.find('turn_late')?.itemIds, ['item_z', 'item_a', 'item_m']);
        assert.deepStrictEqual(tx.turns.listOfThread('thr_none'), []);
      });
    });

    test('findLastLive skips superseded turns; findPreviousId is the latest other turn', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_empty'));
        tx.turns.insert(newTurn('turn_b', 'thr_1', 1));
        tx.turns.insert(newTurn('turn_a', 'thr_1', 5));
      });
      store.read((tx) => {
        assert.equal(tx.turns.findLastLive('thr_1')?.id, 'turn_a');
        assert.equal(tx.turns.findLastLive('thr_empty'), undefined);
        assert.equal(tx.turns.findPreviousId('thr_1', 'turn_a'), 'turn_b');
        assert.equal(tx.turns.findPreviousId('thr_1', 'turn_b'), 'turn_a');
        assert.equal(tx.turns.findPreviousId('thr_empty', 'turn_x'), undefined);
      });
      store.write((tx) => {
        tx.turns.insert(newTurn('turn_c', 'thr_1', 9));
        tx.turns.markSuperseded('turn_c', 'turn_d');
      });
      store.read((tx) => {
        assert.equal(tx.turns.find('turn_c')?.supersededBy, 'turn_d');
        assert.equal(tx.turns.findLastLive('thr_1')?.id, 'turn_a');
        assert.equal(tx.turns.findPreviousId('thr_1', 'turn_x'), 'turn_c', 'superseded turns still count as previous');
      });
    });

    test('in-progress turns are listed across threads until they finish', (t) => {
      const { store } = open(t);
      assert.equal(store.read((tx) => tx.turns.hasInProgress()), false);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_2'));
        tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        tx.turns.insert(newTurn('turn_2', 'thr_2', 1));
      });
      const listed = () => store.read((tx) => [tx.turns.hasInProgress(), tx.turns.listInProgress().map((x) => x.id).sort()]);
      assert.deepStrictEqual(listed(), [true, ['turn_1', 'turn_2']]);
      store.write((tx) => tx.turns.finish('turn_1', end('completed')));
      assert.deepStrictEqual(listed(), [true, ['turn_2']]);
      store.write((tx) => tx.turns.finish('turn_2', end('failed')));
      assert.deepStrictEqual(listed(), [false, []]);
    });

    test('listCompletedUsage gives the usage of completed turns only, of one thread or all', (t) => {
      const { store } = open(t);
      const u = (n: number) => ({ inputTokens: n, outputTokens: n + 1 });
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.threads.insert(newThread('thr_2'));
        for (const [id, thread, seq] of [['turn_1', 'thr_1', 1], ['turn_2', 'thr_1', 2], ['turn_3', 'thr_2', 1], ['turn_4', 'thr_2', 2], ['turn_5', 'thr_2', 3]] as const) {
          tx.turns.insert(newTurn(id, thread, seq));
        }
        tx.turns.finish('turn_1', end('completed', { usage: u(1) }));
        tx.turns.finish('turn_2', end('failed', { usage: u(2) }));
        tx.turns.finish('turn_3', end('completed', { usage: u(3) }));
        tx.turns.finish('turn_4', end('completed', { usage }));
      });
      const byInput = (list: { inputTokens: number }[]) => [...list].sort((a, b) => a.inputTokens - b.inputTokens);
      store.read((tx) => {
        assert.deepStrictEqual(tx.turns.listCompletedUsage('thr_1'), [u(1)]);
        assert.deepStrictEqual(byInput(tx.turns.listCompletedUsage('thr_2')), [u(3), usage]);
        assert.deepStrictEqual(byInput(tx.turns.listCompletedUsage()), [u(1), u(3), usage]);
      });
    });

    test('countSteer counts the prompts steered into a turn', (t) => {
      const { store } = open(t);
      store.write((tx) => {
        tx.threads.insert(newThread('thr_1'));
        tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        tx.turns.countSteer('turn_1');
      });
      store.write((tx) => tx.turns.countSteer('turn_1'));
      assert.equal(store.read((tx) => tx.turns.find('turn_1')?.steerCount), 2);
    });
  });
}
