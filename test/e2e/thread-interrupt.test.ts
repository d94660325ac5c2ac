import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionNotFoundError, ThreadArchivedError, TurnMismatchError, TurnNotFoundError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('thread/interrupt ends the running turn interrupted and cancels the queued prompts', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const a = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'A', delivery: 'queue' });
  const b = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'B', delivery: 'queue' });
  const result = await client.request('thread/interrupt', { threadId: thread.id });
  assert.equal(result.turn!.id, turn.id);
  assert.equal(result.turn!.status, 'interrupted');
  assert.deepStrictEqual(result.cancelled.map((c) => [c.id, c.state]), [
    [a.queued!.id, 'cancelled'],
    [b.queued!.id, 'cancelled'],
  ]);
  const tail = events.of(thread.id).slice(-3).map((e) => e.kind);
  assert.deepStrictEqual(tail, ['turn.completed', 'prompt.cancelled', 'prompt.cancelled']);
  const after = await client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual([after.thread.status, after.thread.queuedCount, after.queued], ['idle', 0, []]);
});

test('thread/interrupt with keepQueued keeps the queue pending without promoting it; thread/drain resumes it', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const a = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'A', delivery: 'queue' });
  await client.request('thread/startTurn', { threadId: thread.id, prompt: 'B', delivery: 'queue' });
  const result = await client.request('thread/interrupt', { threadId: thread.id, keepQueued: true });
  assert.deepStrictEqual(result.cancelled, []);
  const idle = await client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual([idle.thread.status, idle.queued.map((q) => q.prompt)], ['idle', ['A', 'B']]);

  const drained = await client.request('thread/drain', { threadId: thread.id });
  assert.equal(drained.remaining, 1);
  assert.equal(drained.turn!.status, 'in_progress');
  const promoted = await events.waitFor({ kind: 'prompt.promoted', turnId: drained.turn!.id });
  assert.equal(promoted.payload.admission.id, a.queued!.id);
  // B follows on its own once A's turn ends.
  await events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.prompt === 'B' });
});

test('thread/interrupt with nothing running answers { turn: null, cancelled: [] }', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  assert.deepStrictEqual(await client.request('thread/interrupt', { threadId: thread.id }), { turn: null, cancelled: [] });
});

test('thread/interrupt with a turnId that is not running fails with TurnMismatch; an unknown one with TurnNotFound', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn: done } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'quick' });
  await events.turnCompleted(done.id);
  await assert.rejects(client.request('thread/interrupt', { threadId: thread.id, turnId: done.id }), (err) => err instanceof TurnMismatchError && err.code === -32014);
  const { turn: running } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  await assert.rejects(
    client.request('thread/interrupt', { threadId: thread.id, turnId: done.id }),
    (err) => err instanceof TurnMismatchError && err.data.runningTurnId === running.id,
  );
  await assert.rejects(client.request('thread/interrupt', { threadId: thread.id, turnId: 'turn_nope' }), (err) => err instanceof TurnNotFoundError && err.code === -32003);
  const result = await client.request('thread/interrupt', { threadId: thread.id, turnId: running.id });
  assert.equal(result.turn!.status, 'interrupted');
});

test('an interrupt keeps the text streamed so far and marks the cut item', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 30\none two three four five six seven eight nine ten' });
  await events.waitFor({ kind: 'item.delta', turnId: turn.id });
  await client.request('thread/interrupt', { threadId: thread.id });
  const { items } = await client.request('turn/get', { turnId: turn.id });
  const reply = items[1]!;
  assert.equal(reply.status, 'completed');
  assert.deepStrictEqual(reply.metadata, { interrupted: true });
  assert.ok(reply.detail!.startsWith('echo[1]:') && reply.detail!.length < 'echo[1]: one two three four five six seven eight nine ten'.length);
  const turnEvents = events.of(thread.id).filter((e) => e.turnId === turn.id);
  assert.equal(turnEvents.at(-1)!.kind, 'turn.completed');
  const streamed = turnEvents.filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text).join('');
  assert.equal(streamed, reply.detail);
});

test('thread/cancelQueued cancels a pending prompt once; again or unknown fails with AdmissionNotFound', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const { queued } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'A', delivery: 'queue' });
  const { admission } = await client.request('thread/cancelQueued', { threadId: thread.id, admissionId: queued!.id });
  assert.deepStrictEqual(admission, { ...queued!, state: 'cancelled' });
  assert.deepStrictEqual((await events.waitFor({ kind: 'prompt.cancelled' })).payload.admission, admission);
  for (const admissionId of [queued!.id, 'inp_nope']) {
    await assert.rejects(
      client.request('thread/cancelQueued', { threadId: thread.id, admissionId }),
      (err) => err instanceof AdmissionNotFoundError && err.code === -32004 && err.data.admissionId === admissionId,
    );
  }
});

test('thread/drain on an idle thread without pending prompts answers { turn: null, remaining: 0 }; on an archived thread ThreadArchived', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  assert.deepStrictEqual(await client.request('thread/drain', { threadId: thread.id }), { turn: null, remaining: 0 });
  await client.request('thread/archive', { threadId: thread.id });
  await assert.rejects(client.request('thread/drain', { threadId: thread.id }), (err) => err instanceof ThreadArchivedError && err.code === -32012);
});

test('turn/wait resolves when the turn ends and fails with Timeout while it runs', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  await assert.rejects(client.request('turn/wait', { turnId: turn.id, timeoutMs: 50 }), (err: { code?: number }) => err.code === -32013);
  const waiting = client.request('turn/wait', { turnId: turn.id });
  await client.request('thread/interrupt', { threadId: thread.id });
  assert.equal((await waiting).turn.status, 'interrupted');
  assert.equal((await client.request('turn/wait', { turnId: turn.id, timeoutMs: 0 })).turn.status, 'interrupted');
  await assert.rejects(client.request('turn/wait', { turnId: 'turn_nope' }), (err) => err instanceof TurnNotFoundError);
});
