import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadNotFoundError, type ThreadEvent } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

// PROTOCOL.md §11: thread/subscribe answers the backlog, then every later event of the thread
// arrives as a notification — also those other server processes write — without gap or duplicate.

test('thread/subscribe answers the backlog after afterSeq, then live events written by this and another process follow without gap or duplicate', async (t) => {
  const writer = await startServer(t);
  const reader = await startServer(t, { dbPath: writer.dbPath });
  const thread = await newThread(writer.client);
  const { turn: first } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: 'before' });
  await writer.events.turnCompleted(first.id);

  const { events: backlog, lastSeq } = await reader.client.request('thread/subscribe', { threadId: thread.id, afterSeq: 2 });
  const { events: log } = await reader.client.request('thread/events', { threadId: thread.id });
  assert.deepStrictEqual(backlog, log.slice(2));
  assert.equal(lastSeq, log.length);
  const live: ThreadEvent[] = [];
  reader.client.onEvent((e) => e.threadId === thread.id && live.push(e));
  // What the writer's server sends it (its client's onEvent would fill seq gaps from the log).
  const sentToWriter: ThreadEvent[] = [];
  writer.client.onRawEvent((e) => e.threadId === thread.id && sentToWriter.push(e));

  // The writer streams; the reader queues prompts (its own events) in between.
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 5\n!repeat 20\nlive words' });
  for (const prompt of ['one', 'two']) await reader.client.request('thread/startTurn', { threadId: thread.id, prompt, delivery: 'queue' });
  const last = await writer.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.prompt === 'two' });
  await writer.events.turnCompleted(last.payload.turnId);
  const final = (await reader.client.request('thread/events', { threadId: thread.id, afterSeq: lastSeq, limit: 10_000 })).events;
  await reader.events.waitFor({ kind: 'turn.completed', turnId: last.payload.turnId });
  assert.deepStrictEqual(live, final, 'every later event exactly once, in seq order');
  assert.ok(live.some((e) => e.turnId === turn.id && e.kind === 'item.delta'));

  // Without a subscription a connection hears only its own process: the writer was never sent the reader's admissions.
  assert.ok(sentToWriter.some((e) => e.kind === 'item.delta'));
  assert.ok(!sentToWriter.some((e) => e.kind === 'prompt.admitted'));
});

test('thread/subscribe without afterSeq starts at the thread\'s lastSeq; thread/unsubscribe stops other processes\' events; unknown threads answer -32001', async (t) => {
  const writer = await startServer(t);
  const reader = await startServer(t, { dbPath: writer.dbPath });
  const thread = await newThread(writer.client);
  const subscribed = await reader.client.request('thread/subscribe', { threadId: thread.id });
  assert.deepStrictEqual(subscribed, { events: [], lastSeq: 1 });
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello' });
  const done = await reader.events.waitFor({ kind: 'turn.completed', turnId: turn.id });
  assert.deepStrictEqual(reader.events.of(thread.id).map((e) => e.seq), Array.from({ length: done.seq - 1 }, (_, i) => i + 2));

  assert.deepStrictEqual(await reader.client.request('thread/unsubscribe', { threadId: thread.id }), {});
  // Proof without a sleep: the reader tails another thread, and the writer writes there after its
  // turn on the unsubscribed one; one poll would have carried both.
  const other = await newThread(writer.client);
  await reader.client.request('thread/subscribe', { threadId: other.id });
  const { turn: later } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: 'unheard' });
  await writer.events.turnCompleted(later.id);
  await writer.client.request('thread/update', { threadId: other.id, title: 'after' });
  await reader.events.waitFor({ kind: 'thread.updated', threadId: other.id });
  assert.ok(!reader.events.of(thread.id).some((e) => e.turnId === later.id));

  await assert.rejects(reader.client.request('thread/subscribe', { threadId: 'thr_nope' }), (e) => e instanceof ThreadNotFoundError);
  await assert.rejects(reader.client.request('thread/unsubscribe', { threadId: 'thr_nope' }), (e) => e instanceof ThreadNotFoundError);
});
