import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer } from '../helpers/server.js';

test('an approval nobody answers within --approval-timeout is denied (reason timed_out) and its request cancelled', async (t) => {
  const { client, events } = await startServer(t, { args: ['--approval-timeout', '0.2'], initialize: { capabilities: { approvals: true } } });
  let cancelled!: () => void;
  const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
  client.onApprovalRequest((_params, token) => new Promise(() => token.onCancellationRequested(() => cancelled())));
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell make\ndone' });
  const requested = await events.waitFor({ kind: 'approval.requested', turnId: turn.id });
  const resolved = await events.waitFor({ kind: 'approval.resolved', turnId: turn.id });
  assert.deepStrictEqual(resolved.payload, { approvalId: requested.payload.approvalId, decision: 'deny', reason: 'timed_out' });
  await wasCancelled;
  assert.equal((await events.turnCompleted(turn.id)).payload.turn.status, 'completed');
  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(items.map((i) => [i.kind, i.status, i.detail]).slice(2), [
    ['tool_result', 'failed', 'denied'],
    ['agent_message', 'completed', 'echo[1]: done'],
  ]);
});
