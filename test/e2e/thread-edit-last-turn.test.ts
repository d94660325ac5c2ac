import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, NothingToEditError, ThreadBusyError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('thread/editLastTurn supersedes the last turn and the engine sees the truncated history', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const first = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'one' });
  await events.turnCompleted(first.turn.id);
  const second = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'two' });
  await events.turnCompleted(second.turn.id);

  const edited = await client.request('thread/editLastTurn', { threadId: thread.id, content: ' deux ' });
  assert.equal(edited.queued, null);
  const superseded = await events.waitFor({ kind: 'turn.superseded' });
  assert.deepStrictEqual(superseded.payload, { turnId: second.turn.id, supersededBy: edited.turn.id });
  const order = events.of(thread.id).slice(superseded.seq - 1, superseded.seq + 4).map((e) => e.kind);
  assert.deepStrictEqual(order, ['turn.superseded', 'prompt.promoted', 'turn.started', 'item.started', 'item.completed']);
  await events.turnCompleted(edited.turn.id);

  const { items } = await client.request('turn/get', { turnId: edited.turn.id });
  assert.equal(items.at(-1)!.detail, 'echo[2]: deux');
  const old = await client.request('turn/get', { turnId: second.turn.id });
  assert.equal(old.turn.supersededBy, edited.turn.id);
  assert.equal(old.items.length, 2, 'the superseded turn keeps its rows');

  // Editing again replaces the edit, not the turn before it.
  const again = await client.request('thread/editLastTurn', { threadId: thread.id, content: 'zwei' });
  await events.turnCompleted(again.turn.id);
  assert.equal((await client.request('turn/get', { turnId: again.turn.id })).items.at(-1)!.detail, 'echo[2]: zwei');
});

test('thread/editLastTurn without content fails with -32602 "content is required"', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await assert.rejects(
    client.request('thread/editLastTurn', { threadId: thread.id, content: '  ' }),
    (err) => err instanceof InvalidParamsError && err.message === 'content is required',
  );
});

test('thread/editLastTurn on a thread without user messages fails with NothingToEdit', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await assert.rejects(
    client.request('thread/editLastTurn', { threadId: thread.id, content: 'x' }),
    (err) => err instanceof NothingToEditError && err.code === -32011 && err.message === 'No user message to edit',
  );
});

test('thread/editLastTurn while a turn runs fails with ThreadBusy and changes nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const before = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  await assert.rejects(client.request('thread/editLastTurn', { threadId: thread.id, content: 'x' }), (err) => err instanceof ThreadBusyError);
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id, includeTurns: true }), before);
});
