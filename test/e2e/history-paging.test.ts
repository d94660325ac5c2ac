import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, ThreadNotFoundError, TurnNotFoundError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('thread/turns pages newest first (or oldest first) with keyset cursors: no turn twice, none skipped while turns are added', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: `p${i}` });
    await events.turnCompleted(turn.id);
    ids.push(turn.id);
  }
  const first = await client.request('thread/turns', { threadId: thread.id, limit: 2 });
  assert.deepStrictEqual(first.turns.map((x) => x.id), [ids[4], ids[3]]);
  // A turn added between pages does not shift what the next page holds.
  const { turn: added } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'late' });
  await events.turnCompleted(added.id);
  const second = await client.request('thread/turns', { threadId: thread.id, limit: 2, cursor: first.nextCursor });
  assert.deepStrictEqual(second.turns.map((x) => x.id), [ids[2], ids[1]]);
  const last = await client.request('thread/turns', { threadId: thread.id, limit: 2, cursor: second.nextCursor });
  assert.deepStrictEqual(last.turns.map((x) => x.id), [ids[0]]);
  assert.equal(last.nextCursor, undefined);

  const asc = await client.request('thread/turns', { threadId: thread.id, order: 'asc', limit: 4 });
  assert.deepStrictEqual(asc.turns.map((x) => x.id), ids.slice(0, 4));
  const rest = await client.request('thread/turns', { threadId: thread.id, order: 'asc', limit: 4, cursor: asc.nextCursor });
  assert.deepStrictEqual(rest.turns.map((x) => x.id), [ids[4], added.id]);
  assert.ok(rest.turns.every((x) => x.kind === 'prompt'));

  const bad = (cursor: string) => assert.rejects(client.request('thread/turns', { threadId: thread.id, cursor }), (err) => err instanceof InvalidParamsError && err.data.issues[0]!.path[0] === 'cursor');
  await bad('garbage');
  await bad(asc.nextCursor!); // an ascending cursor on a descending listing
  await assert.rejects(client.request('thread/turns', { threadId: 'thr_nope' }), (err) => err instanceof ThreadNotFoundError);
});

test("turn/items pages a turn's items in order", async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello' });
  await events.turnCompleted(turn.id);
  const { items } = await client.request('turn/get', { turnId: turn.id });
  const first = await client.request('turn/items', { turnId: turn.id, limit: 1 });
  assert.deepStrictEqual(first.items, items.slice(0, 1));
  const second = await client.request('turn/items', { turnId: turn.id, limit: 1, cursor: first.nextCursor });
  assert.deepStrictEqual(second.items, items.slice(1, 2));
  assert.equal(second.nextCursor, undefined);
  await assert.rejects(client.request('turn/items', { turnId: 'turn_nope' }), (err) => err instanceof TurnNotFoundError);
});

test('thread/list status filters idle or running threads; a thread shows a preview of its newest message', async (t) => {
  const { client, events } = await startServer(t);
  const idle = await newThread(client, { title: 'idle' });
  const busy = await newThread(client, { title: 'busy' });
  const { turn } = await client.request('thread/startTurn', { threadId: idle.id, prompt: 'hello there' });
  await events.turnCompleted(turn.id);
  await client.request('thread/startTurn', { threadId: busy.id, prompt: '!hang' });
  const running = await client.request('thread/list', { status: 'running' });
  assert.deepStrictEqual(running.threads.map((x) => x.title), ['busy']);
  const resting = await client.request('thread/list', { status: 'idle' });
  assert.deepStrictEqual(resting.threads.map((x) => [x.title, x.preview]), [['idle', 'echo[1]: hello there']]);
  await client.request('thread/interrupt', { threadId: busy.id });
});
