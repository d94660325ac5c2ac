import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoNulls, at, newItem, newThread, newTurn, wire, type OpenStore } from './fixtures.js';
import type { TurnEnd } from '../../src/store/port.js';

const usage = { inputTokens: 12, outputTokens: 34, cachedInputTokens: 5, reasoningTokens: 6, costUsd: 0.25 };
const end = (status: TurnEnd['status'], over: Partial<TurnEnd> = {}): TurnEnd => ({ status, endedAt: at(99), durationMs: 89_000, ...over });

export function turnContract(open: OpenStore): void {
  describe('turns', () => {
    test('a new turn reads back in progress, with its options, and absent fields omitted', async (t) => {
      const { store } = await open(t);
      const options = { mode: 'edit', temperature: 0.5, topP: 0.9, maxTokens: 100, autoApprove: true, trustMode: false, allowShell: true };
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.turns.insert(newTurn('turn_min', 'thr_1', 4));
        await tx.turns.insert(newTurn('turn_opt', 'thr_1', 5, { model: 'm-2', options }));
      });
      await store.read(async (tx) => {
        const found = await tx.turns.find('turn_min');
        assertNoNulls(found, 'turn');
        const { startedAt, ...rest } = wire(found)!;
        assert.deepStrictEqual(rest, {
          id: 'turn_min', threadId: 'thr_1', status: 'in_progress', inputSummary: 'prompt of turn_min', createdAt: at(10), itemIds: [], steerCount: 0, kind: 'prompt',
        });
        assert.ok(startedAt === undefined || startedAt === at(10), `startedAt ${startedAt}`);
        assert.deepStrictEqual((await tx.turns.findStored('turn_min'))?.options, {});
        const stored = await tx.turns.findStored('turn_opt');
        assert.deepStrictEqual(stored?.options, options);
        assert.equal(stored?.turn.model, 'm-2');
        assert.equal(await tx.turns.startSeq('turn_opt'), 5);
        assert.equal(await tx.turns.startSeq('turn_none'), 0);
        assert.equal(await tx.turns.find('turn_none'), undefined);
        assert.equal(await tx.turns.findStored('turn_none'), undefined);
      });
    });

    test('finish ends an in-progress turn once: true, then false and the first end stays', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        await tx.turns.insert(newTurn('turn_2', 'thr_1', 2));
      });
      assert.equal(await store.write((tx) => tx.turns.finish('turn_1', end('completed', { usage }))), true);
      assert.equal(await store.write((tx) => tx.turns.finish('turn_1', end('failed', { error: 'late' }))), false);
      assert.equal(await store.write((tx) => tx.turns.finish('turn_none', end('failed'))), false);
      assert.equal(await store.write((tx) => tx.turns.finish('turn_2', end('interrupted', { error: 'server restarted' }))), true);
      await store.read(async (tx) => {
        const done = await tx.turns.find('turn_1');
        assertNoNulls(done, 'turn');
        assert.deepStrictEqual(
          { status: done?.status, endedAt: done?.endedAt, durationMs: done?.durationMs, usage: done?.usage, error: done?.error },
          { status: 'completed', endedAt: at(99), durationMs: 89_000, usage, error: undefined },
        );
        const cut = await tx.turns.find('turn_2');
        assert.equal(cut?.status, 'interrupted');
        assert.equal(cut?.error, 'server restarted');
        assert.equal(wire(cut)?.usage, undefined);
      });
    });

    test('listOfThread orders turns by start seq; itemIds lists items in insertion order', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        await tx.turns.insert(newTurn('turn_late', 'thr_1', 7));
        await tx.turns.insert(newTurn('turn_early', 'thr_1', 3));
        await tx.turns.insert(newTurn('turn_other', 'thr_2', 1));
        for (const id of ['item_z', 'item_a', 'item_m']) await tx.items.insert(newItem(id, 'turn_late', 'thr_1'));
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual((await tx.turns.listOfThread('thr_1')).map((x) => x.id), ['turn_early', 'turn_late']);
        assert.deepStrictEqual((await tx.turns.find('turn_late'))?.itemIds, ['item_z', 'item_a', 'item_m']);
        assert.deepStrictEqual(await tx.turns.listOfThread('thr_none'), []);
      });
    });

    test('findLastLive skips superseded turns; findPreviousId is the latest other turn', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_empty'));
        await tx.turns.insert(newTurn('turn_b', 'thr_1', 1));
        await tx.turns.insert(newTurn('turn_a', 'thr_1', 5));
      });
      await store.read(async (tx) => {
        assert.equal((await tx.turns.findLastLive('thr_1'))?.id, 'turn_a');
        assert.equal(await tx.turns.findLastLive('thr_empty'), undefined);
        assert.equal(await tx.turns.findPreviousId('thr_1', 'turn_a'), 'turn_b');
        assert.equal(await tx.turns.findPreviousId('thr_1', 'turn_b'), 'turn_a');
        assert.equal(await tx.turns.findPreviousId('thr_empty', 'turn_x'), undefined);
      });
      await store.write(async (tx) => {
        await tx.turns.insert(newTurn('turn_c', 'thr_1', 9));
        await tx.turns.markSuperseded('turn_c', 'turn_d');
      });
      await store.read(async (tx) => {
        assert.equal((await tx.turns.find('turn_c'))?.supersededBy, 'turn_d');
        assert.equal((await tx.turns.findLastLive('thr_1'))?.id, 'turn_a');
        assert.equal(await tx.turns.findPreviousId('thr_1', 'turn_x'), 'turn_c', 'superseded turns still count as previous');
      });
    });

    test('in-progress turns are listed across threads until they finish', async (t) => {
      const { store } = await open(t);
      assert.equal(await store.read((tx) => tx.turns.hasInProgress()), false);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        await tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        await tx.turns.insert(newTurn('turn_2', 'thr_2', 1));
      });
      const listed = () => store.read(async (tx) => [await tx.turns.hasInProgress(), (await tx.turns.listInProgress()).map((x) => x.id).sort()]);
      assert.deepStrictEqual(await listed(), [true, ['turn_1', 'turn_2']]);
      await store.write((tx) => tx.turns.finish('turn_1', end('completed')));
      assert.deepStrictEqual(await listed(), [true, ['turn_2']]);
      await store.write((tx) => tx.turns.finish('turn_2', end('failed')));
      assert.deepStrictEqual(await listed(), [false, []]);
    });

    test('listCompletedUsage gives the usage of completed turns only, of one thread or all', async (t) => {
      const { store } = await open(t);
      const u = (n: number) => ({ inputTokens: n, outputTokens: n + 1 });
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        for (const [id, thread, seq] of [['turn_1', 'thr_1', 1], ['turn_2', 'thr_1', 2], ['turn_3', 'thr_2', 1], ['turn_4', 'thr_2', 2], ['turn_5', 'thr_2', 3]] as const) {
          await tx.turns.insert(newTurn(id, thread, seq));
        }
        await tx.turns.finish('turn_1', end('completed', { usage: u(1) }));
        await tx.turns.finish('turn_2', end('failed', { usage: u(2) }));
        await tx.turns.finish('turn_3', end('completed', { usage: u(3) }));
        await tx.turns.finish('turn_4', end('completed', { usage }));
      });
      const byInput = (list: { inputTokens: number }[]) => [...list].sort((a, b) => a.inputTokens - b.inputTokens);
      await store.read(async (tx) => {
        assert.deepStrictEqual(await tx.turns.listCompletedUsage('thr_1'), [u(1)]);
        assert.deepStrictEqual(byInput(await tx.turns.listCompletedUsage('thr_2')), [u(3), usage]);
        assert.deepStrictEqual(byInput(await tx.turns.listCompletedUsage()), [u(1), u(3), usage]);
      });
    });

    test('countSteer counts the prompts steered into a turn', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.turns.insert(newTurn('turn_1', 'thr_1', 1));
        await tx.turns.countSteer('turn_1');
      });
      await store.write((tx) => tx.turns.countSteer('turn_1'));
      assert.equal(await store.read(async (tx) => (await tx.turns.find('turn_1'))?.steerCount), 2);
    });
  });
}
