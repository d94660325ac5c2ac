import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueFullError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('one prompt over --max-queued fails with QueueFull (data.limit) and admits nothing', async (t) => {
  const { client } = await startServer(t, { args: ['--max-queued', '2'] });
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  for (const prompt of ['a', 'b']) await client.request('thread/startTurn', { threadId: thread.id, prompt, delivery: 'queue' });
  const before = await client.request('thread/get', { threadId: thread.id });
  await assert.rejects(client.request('thread/startTurn', { threadId: thread.id, prompt: 'c', delivery: 'queue' }), (err) => {
    assert.ok(err instanceof QueueFullError);
    assert.deepStrictEqual([err.code, err.data.kind, err.data.limit, err.data.threadId], [-32015, 'queue_full', 2, thread.id]);
    return true;
  });
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id }), before);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} shuts down like stdin closing: exit 0, the running turn interrupted, the queue kept`, async (t) => {
    const first = await startServer(t);
    const thread = await newThread(first.client);
    const { turn } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
    const { queued } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: 'later', delivery: 'queue' });
    first.spawned.process.kill(signal);
    assert.deepStrictEqual(await first.spawned.exited, { code: 0, signal: null });
    const second = await startServer(t, { dbPath: first.dbPath });
    const { turn: after } = await second.client.request('turn/get', { turnId: turn.id });
    assert.deepStrictEqual([after.status, after.error], ['interrupted', 'server shutting down']);
    assert.deepStrictEqual((await second.client.request('thread/get', { threadId: thread.id })).queued, [queued!]);
  });
}
