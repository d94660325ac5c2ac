import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp } from '../helpers/acp-client.js';

// Issue 13, first increment: initialize, session/new and session/prompt streaming, over the
// official SDK's client side exactly as an editor drives `threadline acp`.

const CWD = '/tmp';

async function newSession(agent: Awaited<ReturnType<typeof startAcp>>): Promise<string> {
  const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: CWD, mcpServers: [] });
  return sessionId;
}

function prompt(agent: Awaited<ReturnType<typeof startAcp>>, sessionId: string, text: string, options?: acp.SendRequestOptions) {
  return agent.conn.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: 'text', text }] }, options);
}

test('initialize answers protocol version 1 (also to a client asking for 2) and advertises only what works', async (t) => {
  const agent = await startAcp(t, { initialize: false });
  const init = await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: 2, clientCapabilities: {} });
  assert.equal(init.protocolVersion, 1);
  assert.equal(init.agentInfo?.name, 'threadline');
  assert.equal(init.agentCapabilities?.promptCapabilities?.embeddedContext, true);
  assert.deepEqual(init.authMethods, []);
});

test('a request before initialize is refused -32600 and creates nothing', async (t) => {
  const agent = await startAcp(t, { initialize: false });
  await assert.rejects(agent.conn.agent.request(acp.methods.agent.session.new, { cwd: CWD, mcpServers: [] }), { code: -32600 });
});

test('session/prompt streams agent_message_chunk with messageId = the item id and answers end_turn', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  assert.match(sessionId, /^thr_/);
  const { stopReason } = await prompt(agent, sessionId, 'hello there');
  assert.equal(stopReason, 'end_turn');
  const updates = agent.updatesOf(sessionId);
  assert.equal(chunkText(updates), 'echo[1]: hello there');
  const ids = new Set(updates.flatMap((u) => (u.sessionUpdate === 'agent_message_chunk' ? [u.messageId] : [])));
  assert.equal(ids.size, 1);
  assert.match([...ids][0]!, /^item_/);
});

test('resource links and embedded text resources reach the engine as text lines', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const { stopReason } = await agent.conn.agent.request(acp.methods.agent.session.prompt, {
    sessionId,
    prompt: [
      { type: 'text', text: 'see' },
      { type: 'resource_link', name: 'a.ts', uri: 'file:///tmp/a.ts' },
      { type: 'resource', resource: { uri: 'file:///tmp/b.ts', text: 'const b = 1;' } },
    ],
  });
  assert.equal(stopReason, 'end_turn');
  assert.equal(chunkText(agent.updatesOf(sessionId)), 'echo[1]: see [a.ts](file:///tmp/a.ts) const b = 1;');
});

test('an allowed tool call streams tool_call (pending) then tool_call_update completed with its result', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const { stopReason } = await prompt(agent, sessionId, '!tool shell ls -la\nlisted');
  assert.equal(stopReason, 'end_turn');
  assert.equal(agent.permissions.length, 1);
  const asked = agent.permissions[0]!;
  assert.equal(asked.sessionId, sessionId);
  assert.equal(asked.toolCall.kind, 'execute');
  assert.deepEqual(asked.options.map((o) => o.kind), ['allow_once', 'allow_always', 'reject_once', 'reject_always']);
  const updates = agent.updatesOf(sessionId);
  const call = updates.find((u) => u.sessionUpdate === 'tool_call');
  assert.ok(call && call.sessionUpdate === 'tool_call');
  assert.deepEqual([call.title, call.kind, call.status], ['ls -la', 'execute', 'pending']);
  assert.equal(asked.toolCall.toolCallId, call.toolCallId);
  const done = updates.find((u) => u.sessionUpdate === 'tool_call_update');
  assert.ok(done && done.sessionUpdate === 'tool_call_update');
  assert.equal(done.toolCallId, call.toolCallId);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.content, [{ type: 'content', content: { type: 'text', text: 'approved' } }]);
  assert.equal(chunkText(updates), 'echo[1]: listed');
});

test('a rejected permission is a deny: the tool call ends failed "denied" and the turn goes on', async (t) => {
  const agent = await startAcp(t);
  agent.answerPermission = async () => ({ outcome: { outcome: 'selected', optionId: 'reject_once' } });
  const sessionId = await newSession(agent);
  const { stopReason } = await prompt(agent, sessionId, '!tool edit patch a.ts\nok');
  assert.equal(stopReason, 'end_turn');
  const done = agent.updatesOf(sessionId).find((u) => u.sessionUpdate === 'tool_call_update');
  assert.ok(done && done.sessionUpdate === 'tool_call_update');
  assert.equal(done.status, 'failed');
  assert.deepEqual(done.content, [{ type: 'content', content: { type: 'text', text: 'denied' } }]);
});

test('a failed turn is a JSON-RPC error naming the turn and its error, after what it streamed', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const error = await prompt(agent, sessionId, '!fail engine exploded\nsome words').then(
    () => assert.fail('a failed turn must not answer a stop reason'),
    (e: acp.RequestError) => e,
  );
  assert.equal(error.code, -32603);
  const data = error.data as { turnId: string; error: string };
  assert.match(data.turnId, /^turn_/);
  assert.equal(data.error, 'engine exploded');
  assert.match(error.message, new RegExp(data.turnId));
  assert.equal(chunkText(agent.updatesOf(sessionId)), 'echo[1]:');
});

test('a prompt for an unknown session is -32002 with data.sessionId', async (t) => {
  const agent = await startAcp(t);
  await assert.rejects(prompt(agent, 'thr_nope', 'hi'), (e: acp.RequestError) => {
    assert.equal(e.code, -32002);
    assert.deepEqual(e.data, { sessionId: 'thr_nope' });
    return true;
  });
});
