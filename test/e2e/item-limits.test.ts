import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer } from '../helpers/server.js';

test('an item over --max-item-bytes keeps the first bytes of its detail, marked truncated; every delta stays in the log', async (t) => {
  const { client, events } = await startServer(t, { args: ['--max-item-bytes', '100'] });
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!repeat 50\nwörd' });
  await events.turnCompleted(turn.id);
  const reply = (await client.request('turn/get', { turnId: turn.id })).items[1]!;
  const full = ['echo[1]:', ...Array<string>(50).fill('wörd')].join(' ');
  assert.equal(reply.detail, Buffer.from(full).subarray(0, 100).toString('utf8').replace(/\uFFFD$/, ''));
  assert.ok(Buffer.byteLength(reply.detail!) <= 100);
  assert.deepStrictEqual(reply.metadata, { truncated: true });
  const { events: log } = await client.request('thread/events', { threadId: thread.id });
  const streamed = log.filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text).join('');
  assert.equal(streamed, full);
});

test('an item within --max-item-bytes is kept whole and not marked', async (t) => {
  const { client, events } = await startServer(t, { args: ['--max-item-bytes', '100'] });
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'short reply' });
  await events.turnCompleted(turn.id);
  const reply = (await client.request('turn/get', { turnId: turn.id })).items[1]!;
  assert.deepStrictEqual([reply.detail, reply.metadata], ['echo[1]: short reply', undefined]);
});
