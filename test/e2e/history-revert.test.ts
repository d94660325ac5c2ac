import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NothingToEditError, ThreadBusyError, TurnNotFoundError, type ThreadlineClient } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

async function reply(client: ThreadlineClient, turnId: string) {
  return (await client.request('turn/get', { turnId })).items.at(-1)!.detail;
}

test('thread/revert hides a turn and every later one from the engine; they stay readable, marked revertedAt', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const one = await turn(client, events, thread.id, 'one');
  const two = await turn(client, events, thread.id, 'two');
  const three = await turn(client, events, thread.id, 'three');

  const reverted = await client.request('thread/revert', { threadId: thread.id, beforeTurnId: two.id });
  assert.deepStrictEqual(reverted.revertedTurnIds, [two.id, three.id]);
  const event = await events.waitFor({ kind: 'thread.reverted' });
  assert.deepStrictEqual(event.payload, { revertedTurnIds: [two.id, three.id] });

  const { turns = [] } = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.deepStrictEqual(turns.map((x) => [x.id, x.revertedAt !== undefined]), [[one.id, false], [two.id, true], [three.id, true]]);
  assert.equal((await client.request('turn/get', { turnId: three.id })).items.length, 2, 'a reverted turn keeps its items');

  // The engine was loaded before the revert: it must forget "two" and "three" (echo counts user messages it saw).
  const next = await turn(client, events, thread.id, 'deux');
  assert.equal(await reply(client, next.id), 'echo[2]: deux');
});

test('thread/unrevert restores the most recent revert while no turn began since; then there is nothing to unrevert', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  const two = await turn(client, events, thread.id, 'two');
  await client.request('thread/revert', { threadId: thread.id, beforeTurnId: two.id });
  const restored = await client.request('thread/unrevert', { threadId: thread.id });
  assert.deepStrictEqual(restored.restoredTurnIds, [two.id]);
  assert.deepStrictEqual((await events.waitFor({ kind: 'thread.unreverted' })).payload, { restoredTurnIds: [two.id] });
  const next = await turn(client, events, thread.id, 'three');
  assert.equal(await reply(client, next.id), 'echo[3]: three', 'the engine sees the restored turn again');

  await client.request('thread/revert', { threadId: thread.id, beforeTurnId: next.id });
  await turn(client, events, thread.id, 'after');
  await assert.rejects(client.request('thread/unrevert', { threadId: thread.id }), (err) => err instanceof NothingToEditError && err.message === 'Nothing to unrevert');
});

test('thread/revert on a busy thread is -32010, on a turn of another thread -32003, and changes nothing', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const other = await newThread(client);
  const one = await turn(client, events, thread.id, 'one');
  const foreign = await turn(client, events, other.id, 'x');
  await assert.rejects(client.request('thread/revert', { threadId: thread.id, beforeTurnId: foreign.id }), (err) => err instanceof TurnNotFoundError);
  const running = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const before = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  await assert.rejects(
    client.request('thread/revert', { threadId: thread.id, beforeTurnId: one.id }),
    (err) => err instanceof ThreadBusyError && err.code === -32010,
  );
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id, includeTurns: true }), before);
  await client.request('thread/interrupt', { threadId: thread.id, turnId: running.turn.id });
});

test('a revert holds across a restart: the reloaded engine sees only what remains', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  await turn(first.client, first.events, thread.id, 'one');
  const two = await turn(first.client, first.events, thread.id, 'two');
  await first.client.request('thread/revert', { threadId: thread.id, beforeTurnId: two.id });
  await first.kill();
  const second = await startServer(t, { dbPath: first.dbPath });
  const next = await turn(second.client, second.events, thread.id, 'again');
  assert.equal(await reply(second.client, next.id), 'echo[2]: again');
});
