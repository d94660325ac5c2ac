import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApprovalRequestParams } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('a client that declared approvals gets approval/request and its decision is applied', async (t) => {
  const { client, events } = await startServer(t, { initialize: { capabilities: { approvals: true } } });
  const asked: ApprovalRequestParams[] = [];
  client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: 'approve' };
  });
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell rm -rf build\ndone' });
  await events.turnCompleted(turn.id);
  const requested = await events.waitFor({ kind: 'approval.requested', turnId: turn.id });
  assert.deepStrictEqual(asked, [
    { threadId: thread.id, turnId: turn.id, itemId: requested.payload.itemId, approvalId: requested.payload.approvalId, kind: 'shell', summary: 'rm -rf build', detail: 'rm -rf build',
      availableDecisions: ['approve', 'approveForThread', 'approveAlways', 'deny', 'denyAlways', 'cancel'],
      proposedRule: { match: { commandPrefix: 'rm' }, scope: { kind: 'global' } } },
  ]);
  const resolved = await events.waitFor({ kind: 'approval.resolved', turnId: turn.id });
  assert.deepStrictEqual(resolved.payload, { approvalId: requested.payload.approvalId, decision: 'approve', reason: 'client' });
  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(items.map((i) => [i.kind, i.status, i.detail]), [
    ['user_message', 'completed', '!tool shell rm -rf build\ndone'],
    ['tool_call', 'completed', 'rm -rf build'],
    ['tool_result', 'completed', 'approved'],
    ['agent_message', 'completed', 'echo[1]: done'],
  ]);
});

test('without client approvals the thread\'s autoApprove decides: false denies, true approves', async (t) => {
  const { client, events } = await startServer(t);
  for (const autoApprove of [false, true]) {
    const thread = await newThread(client, { autoApprove });
    const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool edit patch.diff' });
    await events.turnCompleted(turn.id);
    const resolved = await events.waitFor({ kind: 'approval.resolved', turnId: turn.id });
    assert.deepStrictEqual([resolved.payload.decision, resolved.payload.reason], [autoApprove ? 'approve' : 'deny', 'auto_approve']);
    const result = (await client.request('turn/get', { turnId: turn.id })).items[2]!;
    assert.deepStrictEqual([result.kind, result.status, result.detail], autoApprove ? ['tool_result', 'completed', 'approved'] : ['tool_result', 'failed', 'denied']);
  }
});

test('a turn\'s autoApprove overrides the thread\'s', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client, { autoApprove: false });
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool tool lookup', autoApprove: true });
  await events.turnCompleted(turn.id);
  assert.equal((await events.waitFor({ kind: 'approval.resolved', turnId: turn.id })).payload.decision, 'approve');
});

test('an interrupt while an approval is pending cancels the request and denies it before turn.completed', async (t) => {
  const { client, events } = await startServer(t, { initialize: { capabilities: { approvals: true } } });
  let cancelled!: () => void;
  const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
  client.onApprovalRequest((_params, token) => new Promise(() => token.onCancellationRequested(() => cancelled())));
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell make' });
  const requested = await events.waitFor({ kind: 'approval.requested', turnId: turn.id });
  const result = await client.request('thread/interrupt', { threadId: thread.id });
  assert.equal(result.turn!.status, 'interrupted');
  await wasCancelled;
  const tail = events.of(thread.id).filter((e) => e.turnId === turn.id).slice(-3);
  assert.deepStrictEqual(tail.map((e) => e.kind), ['approval.resolved', 'item.completed', 'turn.completed']);
  assert.deepStrictEqual(tail[0]!.payload, { approvalId: requested.payload.approvalId, decision: 'deny', reason: 'interrupted' });
});
