import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, type AcpTestAgent, newSession, prompt } from '../helpers/acp-client.js';

// Issue 13: session/load replays the conversation before answering (also in another process,
// also after kill -9), session/list, session/resume without replay, session/close and delete.

async function firstChunk(agent: AcpTestAgent, sessionId: string): Promise<void> {
  while (!agent.updatesOf(sessionId).some((u) => u.sessionUpdate === 'agent_message_chunk')) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Loads and returns what was replayed before the answer (the count is taken when it resolves). */
async function load(agent: AcpTestAgent, sessionId: string): Promise<acp.SessionUpdate[]> {
  const before = agent.updatesOf(sessionId).length;
  await agent.conn.agent.request(acp.methods.agent.session.load, { sessionId, cwd: '/tmp', mcpServers: [] });
  return agent.updatesOf(sessionId).slice(before);
}

test('initialize advertises loadSession, session list, resume, close, delete and (unstable) fork, and the _threadline extension', async (t) => {
  const agent = await startAcp(t, { initialize: false });
  const init = await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: 1, clientCapabilities: {} });
  assert.equal(init.agentCapabilities?.loadSession, true);
  assert.deepEqual(init.agentCapabilities?.sessionCapabilities, { list: {}, resume: {}, close: {}, delete: {}, fork: {} });
  const meta = init.agentCapabilities?._meta?.threadline as { version: number; protocolVersion: number; methods: string[] };
  assert.equal(meta.version, 1);
  assert.equal(meta.protocolVersion, 1);
  assert.ok(meta.methods.includes('_threadline/revert') && meta.methods.every((m) => m.startsWith('_threadline/')));
});

test('session/load in another process replays user, agent and tool calls with their final status, before it answers', async (t) => {
  const first = await startAcp(t);
  const sessionId = await newSession(first);
  await prompt(first, sessionId, 'hello');
  await prompt(first, sessionId, '!tool shell make\nbuilt');
  const live = first.updatesOf(sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  const replay = await load(second, sessionId);
  assert.deepEqual(
    replay.map((u) => u.sessionUpdate),
    ['user_message_chunk', 'agent_message_chunk', 'user_message_chunk', 'tool_call', 'tool_call_update', 'agent_message_chunk', 'session_info_update'],
  );
  // The first prompt named the session; the replay ends with its title.
  const info = replay.at(-1)!;
  assert.equal(info.sessionUpdate === 'session_info_update' && info.title, 'hello');
  assert.equal(chunkText(replay), chunkText(live));
  const text = (u: acp.SessionUpdate) => (u.sessionUpdate === 'user_message_chunk' && u.content.type === 'text' ? u.content.text : undefined);
  assert.deepEqual([text(replay[0]!), text(replay[2]!)], ['hello', '!tool shell make\nbuilt']);
  // messageId and toolCallId are the same item ids as live.
  const liveIds = live.flatMap((u) => (u.sessionUpdate === 'agent_message_chunk' ? [u.messageId] : []));
  const replayIds = replay.flatMap((u) => (u.sessionUpdate === 'agent_message_chunk' ? [u.messageId] : []));
  assert.deepEqual([...new Set(liveIds)], replayIds);
  const call = replay[3]!;
  assert.ok(call.sessionUpdate === 'tool_call');
  assert.equal(call.status, 'completed');
  assert.equal(call.toolCallId, live.find((u) => u.sessionUpdate === 'tool_call')?.toolCallId);
});

test('after kill -9 mid-turn, a new process loads the session: the partial turn replays and the session takes prompts', async (t) => {
  const first = await startAcp(t);
  const sessionId = await newSession(first);
  void prompt(first, sessionId, '!word-delay 60000\nunfinished reply').catch(() => undefined);
  await firstChunk(first, sessionId);
  await first.kill();
  const second = await startAcp(t, { dbPath: first.dbPath });
  const replay = await load(second, sessionId);
  assert.equal(replay[0]?.sessionUpdate, 'user_message_chunk');
  assert.match(chunkText(replay), /^echo\[1\]:/);
  assert.equal((await prompt(second, sessionId, 'after')).stopReason, 'end_turn');
});

test('session/resume attaches without replay; unknown sessions are -32002', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await prompt(agent, sessionId, 'hi');
  const before = agent.updates.length;
  assert.deepEqual(await agent.conn.agent.request(acp.methods.agent.session.resume, { sessionId, cwd: '/tmp', mcpServers: [] }), {});
  assert.equal((await prompt(agent, sessionId, 'again')).stopReason, 'end_turn');
  assert.equal(agent.updates.slice(before).every((n) => n.update.sessionUpdate === 'agent_message_chunk'), true);
  for (const method of [acp.methods.agent.session.resume, acp.methods.agent.session.load] as const) {
    await assert.rejects(agent.conn.agent.request(method, { sessionId: 'thr_missing', cwd: '/tmp', mcpServers: [] }), { code: -32002 });
  }
});

test('session/list filters by cwd, newest first, and pages with the cursor', async (t) => {
  const agent = await startAcp(t);
  const other = await newSession(agent, '/var');
  const mine: string[] = [];
  for (let i = 0; i < 52; i++) mine.push(await newSession(agent, '/tmp/proj'));
  const list = (params: acp.ListSessionsRequest) => agent.conn.agent.request(acp.methods.agent.session.list, params);
  const only = await list({ cwd: '/var' });
  assert.deepEqual(only.sessions.map((s) => [s.sessionId, s.cwd]), [[other, '/var']]);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ cwd: '/tmp/proj', cursor });
    seen.push(...page.sessions.map((s) => s.sessionId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assert.deepEqual(seen, [...mine].reverse());
  await assert.rejects(list({ cursor: 'not-ours' }), { code: -32602 });
});

test('session/close answers a running prompt cancelled; session/delete refuses a running session, then deletes', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const running = prompt(agent, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(agent, sessionId);
  await assert.rejects(agent.conn.agent.request(acp.methods.agent.session.delete, { sessionId }), { code: -32010 });
  await agent.conn.agent.request(acp.methods.agent.session.close, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  await agent.conn.agent.request(acp.methods.agent.session.delete, { sessionId });
  await assert.rejects(prompt(agent, sessionId, 'gone'), { code: -32002 });
});
