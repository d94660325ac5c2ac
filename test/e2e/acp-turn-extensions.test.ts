import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, newSession, prompt, ext } from '../helpers/acp-client.js';

// Issue 13, the extensions that start or feed turns: _threadline/edit_last_turn answers like the
// prompt it replaces; _threadline/steer on an idle session with a queue starts the queue and
// joins it; _threadline/update_queued / reorder_queued edit the queue — over the official SDK client.

type Meta = { turnId: string; supersededTurnId?: string };

test('initialize advertises the turn extensions', async (t) => {
  const agent = await startAcp(t, { initialize: false });
  const init = await agent.conn.agent.request(acp.methods.agent.initialize, { protocolVersion: 1, clientCapabilities: {} });
  const methods = (init.agentCapabilities?._meta?.threadline as { methods: string[] }).methods;
  for (const m of ['_threadline/edit_last_turn', '_threadline/steer', '_threadline/update_queued', '_threadline/reorder_queued']) assert.ok(methods.includes(m), m);
});

test('_threadline/edit_last_turn streams the new reply and answers end_turn naming the superseded turn; the engine forgot the old text', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const first = await prompt(agent, sessionId, 'frist try');
  const before = agent.updatesOf(sessionId).length;
  const edited = await ext<acp.PromptResponse>(agent, '_threadline/edit_last_turn', { sessionId, content: 'first try' });
  assert.equal(edited.stopReason, 'end_turn');
  const meta = edited._meta?.threadline as Meta;
  assert.equal(meta.supersededTurnId, (first._meta?.threadline as Meta).turnId);
  assert.notEqual(meta.turnId, meta.supersededTurnId);
  // Still the first user message for the engine: the superseded one is gone.
  assert.equal(chunkText(agent.updatesOf(sessionId).slice(before)), 'echo[1]: first try');
  // session/load shows the edited conversation only.
  const loadFrom = agent.updatesOf(sessionId).length;
  await agent.conn.agent.request(acp.methods.agent.session.load, { sessionId, cwd: '/tmp', mcpServers: [] });
  const users = agent.updatesOf(sessionId).slice(loadFrom).flatMap((u) => (u.sessionUpdate === 'user_message_chunk' && u.content.type === 'text' ? [u.content.text] : []));
  assert.deepEqual(users, ['first try']);
});

test('_threadline/edit_last_turn is cancelled like a prompt; refused while a turn runs and with nothing to edit', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  await assert.rejects(ext(agent, '_threadline/edit_last_turn', { sessionId, content: 'x' }), { code: -32011 });
  await prompt(agent, sessionId, 'hello');
  const streamed = agent.updatesOf(sessionId).length;
  const editing = ext<acp.PromptResponse>(agent, '_threadline/edit_last_turn', { sessionId, content: '!word-delay 60000\nslow edit' });
  // The edited turn has streamed its first word: it surely runs.
  while (!agent.updatesOf(sessionId).slice(streamed).some((u) => u.sessionUpdate === 'agent_message_chunk')) await new Promise((r) => setTimeout(r, 5));
  await assert.rejects(ext(agent, '_threadline/edit_last_turn', { sessionId, content: 'y' }), { code: -32010 });
  await agent.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await editing).stopReason, 'cancelled');
  await assert.rejects(ext(agent, '_threadline/edit_last_turn', { sessionId: 'thr_missing', content: 'x' }), { code: -32002 });
  await assert.rejects(ext(agent, '_threadline/edit_last_turn', { sessionId, content: '   ' }), { code: -32602 });
});

test('_threadline/steer on an idle session with prompts queued (left by a killed process) starts the oldest and steers into it', async (t) => {
  const first = await startAcp(t);
  const sessionId = await newSession(first);
  void prompt(first, sessionId, '!word-delay 60000\nslow').catch(() => undefined);
  await first.updateOf(sessionId, 'agent_message_chunk');
  void prompt(first, sessionId, '!word-delay 100\nqueued one').catch(() => undefined);
  // Admitted (durably queued) before the kill: the queue shows it.
  while ((await ext<{ queued: unknown[] }>(first, '_threadline/queue', { sessionId })).queued.length === 0);
  await first.kill();

  const second = await startAcp(t, { dbPath: first.dbPath });
  const steered = await ext<{ turnId: string; queued: unknown }>(second, '_threadline/steer', { sessionId, prompt: 'and this too' });
  type Ev = { kind: string; turnId?: string; payload: { turnId?: string; admission?: { prompt: string } } };
  const promoted = async () => (await ext<{ events: Ev[] }>(second, '_threadline/events', { sessionId })).events.filter((e) => e.kind === 'prompt.promoted');
  // The queued prompt started a turn and the steer joined that same turn (or, where the engine
  // could not take it yet, was queued right behind it).
  const promotions = await promoted();
  assert.equal(promotions[1]?.payload.admission?.prompt, '!word-delay 100\nqueued one');
  assert.equal(steered.turnId, promotions[1]?.payload.turnId);
  // Nothing queued and nothing running: refused, as before.
  const idle = await newSession(second);
  await assert.rejects(ext(second, '_threadline/steer', { sessionId: idle, prompt: 'nothing to join' }), { code: -32600 });
});

test('_threadline/update_queued rewrites a queued prompt (it runs with the new text); _threadline/reorder_queued sets the order', async (t) => {
  const agent = await startAcp(t);
  const sessionId = await newSession(agent);
  const running = prompt(agent, sessionId, '!word-delay 300\none two');
  await agent.updateOf(sessionId, 'agent_message_chunk');
  const a = prompt(agent, sessionId, 'A');
  const b = prompt(agent, sessionId, 'B');
  type Q = { queued: { id: string; prompt: string }[] };
  let queue = await ext<Q>(agent, '_threadline/queue', { sessionId });
  while (queue.queued.length < 2) queue = await ext<Q>(agent, '_threadline/queue', { sessionId });
  const [qa, qb] = queue.queued;
  await ext(agent, '_threadline/update_queued', { sessionId, admissionId: qa!.id, prompt: 'A, steered into' });
  const reordered = await ext<Q>(agent, '_threadline/reorder_queued', { sessionId, admissionIds: [qb!.id, qa!.id] });
  assert.deepEqual(reordered.queued.map((q) => q.prompt), ['B', 'A, steered into']);
  await Promise.all([running, a, b]);
  assert.equal(chunkText(agent.updatesOf(sessionId)), 'echo[1]: one twoecho[2]: Becho[3]: A, steered into');
  await assert.rejects(ext(agent, '_threadline/update_queued', { sessionId, admissionId: qa!.id, prompt: 'late' }), { code: -32004 });
});
