import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, type AcpTestAgent, newSession, prompt, ext } from '../helpers/acp-client.js';

// Issue 13, history and extras: session/fork (unstable ACP), the _threadline/* extension methods,
// thought chunks, titles (session_info_update) and usage in the answer's _meta — over the
// official SDK's client side. Custom methods go through `request(name, params)` as any client's would.

async function load(agent: AcpTestAgent, sessionId: string): Promise<acp.SessionUpdate[]> {
  const before = agent.updatesOf(sessionId).length;
  await agent.conn.agent.request(acp.methods.agent.session.load, { sessionId, cwd: '/tmp', mcpServers: [] });
  return agent.updatesOf(sessionId).slice(before);
}

const userTexts = (updates: acp.SessionUpdate[]) =>
  updates.flatMap((u) => (u.sessionUpdate === 'user_message_chunk' && u.content.type === 'text' ? [u.content.text] : []));

test('_threadline/revert hides turns from session/load and the engine; _threadline/unrevert brings them back', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  for (const text of ['one', 'two', 'three']) await prompt(agent, sessionId, text);
  const { events } = await ext<{ events: { kind: string; turnId?: string }[] }>(agent, '_threadline/events', { sessionId });
  const turnIds = [...new Set(events.filter((e) => e.kind === 'turn.started').map((e) => e.turnId!))];
  assert.equal(turnIds.length, 3);
  const reverted = await ext<{ revertedTurnIds: string[] }>(agent, '_threadline/revert', { sessionId, beforeTurnId: turnIds[1] });
  assert.deepEqual(reverted.revertedTurnIds, turnIds.slice(1));
  assert.deepEqual(userTexts(await load(agent, sessionId)), ['one']);
  const restored = await ext<{ restoredTurnIds: string[] }>(agent, '_threadline/unrevert', { sessionId });
  assert.deepEqual(restored.restoredTurnIds, turnIds.slice(1));
  assert.deepEqual(userTexts(await load(agent, sessionId)), ['one', 'two', 'three']);
  await ext(agent, '_threadline/revert', { sessionId, beforeTurnId: turnIds[1] });
  // The engine forgot them too: the next reply counts two user messages.
  await prompt(agent, sessionId, 'four');
  assert.match(chunkText(agent.updatesOf(sessionId)), /echo\[2\]: four$/);
  await assert.rejects(ext(agent, '_threadline/unrevert', { sessionId: 'thr_missing' }), { code: -32002 });
});

test('session/fork (unstable ACP) makes a new session with the history; _threadline/fork with depthFromTail drops the last exchange', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await prompt(agent, sessionId, 'alpha');
  await prompt(agent, sessionId, 'beta');
  const forked = await ext<{ sessionId: string }>(agent, 'session/fork', { sessionId, cwd: '/tmp', mcpServers: [] });
  assert.notEqual(forked.sessionId, sessionId);
  assert.deepEqual(userTexts(await load(agent, forked.sessionId)), ['alpha', 'beta']);
  await prompt(agent, forked.sessionId, 'gamma');
  assert.match(chunkText(agent.updatesOf(forked.sessionId)), /echo\[3\]: gamma$/);

  const edit = await ext<{ sessionId: string; copiedTurns: number; originalUserText: string }>(agent, '_threadline/fork', { sessionId, depthFromTail: 0 });
  assert.equal(edit.copiedTurns, 1);
  assert.equal(edit.originalUserText, 'beta');
  assert.deepEqual(userTexts(await load(agent, edit.sessionId)), ['alpha']);
  await assert.rejects(ext(agent, 'session/fork', { sessionId: 'thr_missing', cwd: '/tmp' }), { code: -32002 });
  await assert.rejects(ext(agent, 'session/fork', { sessionId }), { code: -32602 });
});

test('_threadline/events pages the log; _threadline/queue, _threadline/usage answer; bad calls are clear errors', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await prompt(agent, sessionId, '!usage 10 5\nhi');
  type Page = { events: { seq: number; kind: string }[]; lastSeq: number };
  const all = await ext<Page>(agent, '_threadline/events', { sessionId });
  assert.equal(all.events.at(-1)?.kind, 'turn.completed');
  const page = await ext<Page>(agent, '_threadline/events', { sessionId, afterSeq: 2, limit: 2 });
  assert.deepEqual(page.events.map((e) => e.seq), [3, 4]);
  assert.equal(page.lastSeq, all.lastSeq);
  assert.deepEqual(await ext(agent, '_threadline/queue', { sessionId }), { queued: [] });
  const usage = await ext<{ usage: { inputTokens: number; outputTokens: number } }>(agent, '_threadline/usage', { sessionId });
  assert.deepEqual([usage.usage.inputTokens, usage.usage.outputTokens], [10, 5]);
  await assert.rejects(ext(agent, '_threadline/events', { sessionId, limit: 0 }), {
    code: -32602,
    data: { field: 'limit', message: 'limit: Too small: expected number to be >=1' },
  });
  await assert.rejects(ext(agent, '_threadline/events', { limit: 1 }), { code: -32602 });
  await assert.rejects(ext(agent, '_threadline/nonsense', { sessionId }), { code: -32601 });
  await assert.rejects(ext(agent, '_threadline/events', { sessionId: 'thr_missing' }), { code: -32002 });
});

test('a prompt answer carries the turn id and its usage in _meta.threadline', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const answer = await prompt(agent, sessionId, '!usage 7 3\nhello');
  const meta = answer._meta?.threadline as { turnId: string; usage: { inputTokens: number; outputTokens: number } };
  assert.match(meta.turnId, /^turn_/);
  assert.deepEqual([meta.usage.inputTokens, meta.usage.outputTokens], [7, 3]);
});

test('reasoning streams as agent_thought_chunk live and replays as one on session/load', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await prompt(agent, sessionId, '!think weighing the options\nanswer');
  const live = agent.updatesOf(sessionId);
  assert.equal(chunkText(live, 'agent_thought_chunk'), 'weighing the options');
  const thought = live.find((u) => u.sessionUpdate === 'agent_thought_chunk');
  assert.ok(thought?.sessionUpdate === 'agent_thought_chunk' && thought.messageId?.startsWith('item_'));
  const replay = await load(agent, sessionId);
  assert.equal(chunkText(replay, 'agent_thought_chunk'), 'weighing the options');
  assert.equal(chunkText(replay), 'echo[1]: answer');
});

test('the first prompt names an untitled session: session_info_update with the title, and session/list shows it', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await prompt(agent, sessionId, 'Refactor the parser\nplease');
  const infos = agent.updatesOf(sessionId).filter((u) => u.sessionUpdate === 'session_info_update');
  assert.equal(infos.length, 1);
  assert.equal(infos[0]!.sessionUpdate === 'session_info_update' && infos[0]!.title, 'Refactor the parser');
  await prompt(agent, sessionId, 'second prompt keeps the title');
  assert.equal(agent.updatesOf(sessionId).filter((u) => u.sessionUpdate === 'session_info_update').length, 1);
  const { sessions } = await agent.conn.agent.request(acp.methods.agent.session.list, { cwd: '/tmp' });
  assert.equal(sessions.find((s) => s.sessionId === sessionId)?.title, 'Refactor the parser');
});

test('_threadline/steer adds a prompt to the running turn: its reply streams inside the open session/prompt; idle sessions refuse it', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await assert.rejects(ext(agent, '_threadline/steer', { sessionId, prompt: 'too early' }), { code: -32600 });
  const running = prompt(agent, sessionId, `!word-delay 50\n${Array(20).fill('w').join(' ')}`);
  await agent.updateOf(sessionId, 'agent_message_chunk');
  const steered = await ext<{ turnId: string; queued: unknown }>(agent, '_threadline/steer', { sessionId, prompt: 'steered in' });
  assert.equal(steered.queued, null);
  const answer = await running;
  assert.equal(answer.stopReason, 'end_turn');
  assert.equal((answer._meta?.threadline as { turnId: string }).turnId, steered.turnId);
  assert.match(chunkText(agent.updatesOf(sessionId)), /echo\[2\]: steered in$/);
});
