import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApprovalRule } from '@threadline/protocol';
import { at, newThread, wire, type OpenStore } from './fixtures.js';

const rule = (id: string, over: Partial<ApprovalRule>, seconds = 1): ApprovalRule => ({
  id,
  effect: 'allow',
  match: { tool: 'shell' },
  scope: { kind: 'global' },
  createdAt: at(seconds),
  ...over,
});

export function approvalRuleContract(open: OpenStore): void {
  describe('approval rules', () => {
    test('insert, find and list give each rule back as stored, oldest first', async (t) => {
      const { store } = await open(t);
      const rules = [
        rule('rule_3', { effect: 'deny', match: { pathGlob: '/w/secrets/**' }, scope: { kind: 'workspace', cwd: '/w' } }, 3),
        rule('rule_1', { match: { commandPrefix: 'git status' }, scope: { kind: 'thread', threadId: 'thr_1' } }, 1),
        rule('rule_2', { match: { tool: 'mcp__x__y' } }, 2),
      ];
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        for (const r of rules) await tx.approvalRules.insert(r);
      });
      await store.read(async (tx) => {
        assert.deepStrictEqual(wire(await tx.approvalRules.find('rule_1')), rules[1]);
        assert.deepStrictEqual(wire(await tx.approvalRules.find('rule_3')), rules[0]);
        assert.equal(await tx.approvalRules.find('rule_none'), undefined);
        assert.deepStrictEqual(wire(await tx.approvalRules.list()).map((r) => r.id), ['rule_1', 'rule_2', 'rule_3']);
      });
    });

    test('listApplicable: the global rules, the thread\'s and its workspace\'s, nobody else\'s', async (t) => {
      const { store } = await open(t);
      await store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.threads.insert(newThread('thr_2'));
        await tx.approvalRules.insert(rule('rule_g', {}, 1));
        await tx.approvalRules.insert(rule('rule_t1', { scope: { kind: 'thread', threadId: 'thr_1' } }, 2));
        await tx.approvalRules.insert(rule('rule_t2', { scope: { kind: 'thread', threadId: 'thr_2' } }, 3));
        await tx.approvalRules.insert(rule('rule_w', { scope: { kind: 'workspace', cwd: '/w' } }, 4));
        await tx.approvalRules.insert(rule('rule_v', { scope: { kind: 'workspace', cwd: '/v' } }, 5));
      });
      const ids = (threadId: string | undefined, cwd: string | undefined) =>
        store.read(async (tx) => (await tx.approvalRules.listApplicable(threadId, cwd)).map((r) => r.id));
      assert.deepStrictEqual(await ids('thr_1', '/w'), ['rule_g', 'rule_t1', 'rule_w']);
      assert.deepStrictEqual(await ids('thr_2', undefined), ['rule_g', 'rule_t2']);
      assert.deepStrictEqual(await ids(undefined, '/v'), ['rule_g', 'rule_v']);
      assert.deepStrictEqual(await ids(undefined, undefined), ['rule_g']);
    });

    test('delete removes one rule once; a thread\'s rules go with the thread; rules survive a reopen', async (t) => {
      const harness = await open(t);
      await harness.store.write(async (tx) => {
        await tx.threads.insert(newThread('thr_1'));
        await tx.approvalRules.insert(rule('rule_a', {}, 1));
        await tx.approvalRules.insert(rule('rule_b', { scope: { kind: 'thread', threadId: 'thr_1' } }, 2));
        await tx.approvalRules.insert(rule('rule_c', { effect: 'deny' }, 3));
      });
      assert.equal(await harness.store.write((tx) => tx.approvalRules.delete('rule_a')), true);
      assert.equal(await harness.store.write((tx) => tx.approvalRules.delete('rule_a')), false);
      await harness.store.write((tx) => tx.threads.delete('thr_1'));
      assert.deepStrictEqual(await harness.store.read(async (tx) => (await tx.approvalRules.list()).map((r) => r.id)), ['rule_c']);
      const reopened = await harness.reopen?.();
      if (reopened) {
        assert.deepStrictEqual(await reopened.read(async (tx) => (await tx.approvalRules.list()).map((r) => [r.id, r.effect])), [['rule_c', 'deny']]);
      }
    });

    test('a write that throws stores no rule', async (t) => {
      const { store } = await open(t);
      await assert.rejects(
        store.write(async (tx) => {
          await tx.approvalRules.insert(rule('rule_x', {}));
          throw new Error('rolled back');
        }),
      );
      assert.equal(await store.read((tx) => tx.approvalRules.find('rule_x')), undefined);
    });
  });
}
