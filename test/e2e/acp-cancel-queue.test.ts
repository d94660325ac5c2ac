import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, type AcpTestAgent, newSession, prompt } from '../helpers/acp-client.js';

// Issue 13: a prompt arriving while a turn runs is queued durably and answered when its own turn
// ends; session/cancel and $/cancel_request answer `cancelled` (also with a permission pending),
// queued prompts of the session too. ACP.md traps 1, 2, 3 and 5.

/** Resolves once the session has streamed its first agent_message_chunk. */
async function firstChunk(agent: AcpTestAgent, sessionId: string): Promise<void> {
  while (!agent.updatesOf(sessionId).some((u) => u.sessionUpdate === 'agent_message_chunk')) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

// A reply whose first word streams at once and whose second waits 60 s: a turn that is surely running.
const SLOW = '!word-delay 60000\nslow reply';

test('a prompt sent while a turn runs is queued and answered when its own turn ends, each once', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const answered: string[] = [];
  const first = prompt(agent, sessionId, '!word-delay 20\none two three').then((r) => (answered.push('first'), r));
  await firstChunk(agent, sessionId);
  const second = prompt(agent, sessionId, 'second').then((r) => (answered.push('second'), r));
  assert.deepEqual((await Promise.all([first, second])).map((r) => r.stopReason), ['end_turn', 'end_turn']);
  assert.deepEqual(answered, ['first', 'second']);
  const updates = agent.updatesOf(sessionId);
  assert.equal(chunkText(updates), 'echo[1]: one two threeecho[2]: second');
  const messageIds = new Set(updates.flatMap((u) => (u.sessionUpdate === 'agent_message_chunk' ? [u.messageId] : [])));
  assert.equal(messageIds.size, 2);
});

test('session/cancel answers the running prompt and the queued one `cancelled`; the session then works again', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const running = prompt(agent, sessionId, SLOW);
  await firstChunk(agent, sessionId);
  const queued = prompt(agent, sessionId, 'never runs');
  // Sent after the second prompt on the same stream: the agent has taken that prompt in.
  await agent.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.deepEqual((await Promise.all([running, queued])).map((r) => r.stopReason), ['cancelled', 'cancelled']);
  assert.ok(!chunkText(agent.updatesOf(sessionId)).includes('never'));
  assert.equal((await prompt(agent, sessionId, 'again')).stopReason, 'end_turn');
});

test('a cancel that overtakes the turn start still cancels it', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const running = prompt(agent, sessionId, SLOW);
  await agent.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
});

test('$/cancel_request on a session/prompt answers it `cancelled` (not -32800)', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const abort = new AbortController();
  const running = prompt(agent, sessionId, SLOW, { cancellationSignal: abort.signal });
  await firstChunk(agent, sessionId);
  abort.abort();
  assert.equal((await running).stopReason, 'cancelled');
  assert.equal((await prompt(agent, sessionId, 'again')).stopReason, 'end_turn');
});

test('cancel with a permission pending: the request is cancelled, treated as deny, no reply streams, the prompt answers cancelled', async (t) => {
  const agent = await startAcp(t);
  let permissionCancelled = false;
  agent.answerPermission = (_params, signal) =>
    new Promise((resolve) =>
      signal.addEventListener('abort', () => {
        permissionCancelled = true;
        resolve({ outcome: { outcome: 'cancelled' } });
      }),
    );
  const sessionId = await newSession(agent);
  const asked = agent.nextPermission();
  const running = prompt(agent, sessionId, '!tool shell rm -rf build\nreply');
  await asked;
  await agent.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  assert.equal(permissionCancelled, true);
  const updates = agent.updatesOf(sessionId);
  assert.equal(chunkText(updates), '');
  const last = updates.filter((u) => u.sessionUpdate === 'tool_call_update').at(-1);
  assert.ok(last && last.sessionUpdate === 'tool_call_update');
  assert.equal(last.status, 'failed');
});
