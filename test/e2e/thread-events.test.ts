import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer } from '../helpers/server.js';

test('per-thread seq is 1, 2, 3… without a gap and the notifications equal thread/events byte for byte', async (t) => {
  const { client, events } = await startServer(t);
  const a = await newThread(client);
  const b = await newThread(client);
  const turns = [
    await client.request('thread/startTurn', { threadId: a.id, prompt: '!word-delay 5\nthe quick brown fox' }),
    await client.request('thread/startTurn', { threadId: b.id, prompt: 'jumps over' }),
  ];
  await client.request('thread/startTurn', { threadId: a.id, prompt: 'queued', delivery: 'queue' });
  for (const { turn } of turns) await events.turnCompleted(turn.id);
  await events.waitFor({ kind: 'turn.completed', threadId: a.id, where: (e) => e.payload.turn.inputSummary === 'queued' });

  for (const thread of [a, b]) {
    const { events: log, lastSeq } = await client.request('thread/events', { threadId: thread.id });
    assert.deepStrictEqual(log.map((e) => e.seq), Array.from({ length: lastSeq }, (_, i) => i + 1));
    assert.equal(JSON.stringify(events.of(thread.id)), JSON.stringify(log));
  }
});

test('thread/events pages with afterSeq and limit', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'a b c' });
  await events.turnCompleted(turn.id);
  const all = await client.request('thread/events', { threadId: thread.id });
  const page = await client.request('thread/events', { threadId: thread.id, afterSeq: 2, limit: 3 });
  assert.deepStrictEqual(page, { events: all.events.slice(2, 5), lastSeq: all.lastSeq });
  const end = await client.request('thread/events', { threadId: thread.id, afterSeq: all.lastSeq });
  assert.deepStrictEqual(end, { events: [], lastSeq: all.lastSeq });
});

test('routing rules are persisted and a routeIntent picks its model case-insensitively', async (t) => {
  const { client, events } = await startServer(t);
  const rules = [{ intent: 'Fast', model: 'small-model' }, { intent: 'deep', model: 'big-model' }];
  assert.deepStrictEqual(await client.request('routing/setRules', { rules }), { rules });
  assert.deepStrictEqual(await client.request('routing/getRules'), { rules });
  const thread = await newThread(client, { model: 'default-model' });
  const routed = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'x', routeIntent: 'FAST', model: 'ignored' });
  assert.equal(routed.turn.model, 'small-model');
  await events.turnCompleted(routed.turn.id);
  const plain = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'y', routeIntent: 'unknown' });
  assert.equal(plain.turn.model, 'default-model');
});

test('usage/get sums the usage of completed turns, per thread or over all threads', async (t) => {
  const { client, events } = await startServer(t);
  const a = await newThread(client);
  const b = await newThread(client);
  for (const [thread, prompt] of [[a, '!usage 10 5\nx'], [a, '!usage 1 2\ny'], [b, '!usage 100 50\nz']] as const) {
    const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt });
    await events.turnCompleted(turn.id);
  }
  const failed = await client.request('thread/startTurn', { threadId: b.id, prompt: '!fail nope' });
  await events.turnCompleted(failed.turn.id);
  assert.deepStrictEqual(await client.request('usage/get', { threadId: a.id }), { usage: { inputTokens: 11, outputTokens: 7 }, turns: 2 });
  assert.deepStrictEqual(await client.request('usage/get', {}), { usage: { inputTokens: 111, outputTokens: 57 }, turns: 3 });
  await assert.rejects(client.request('usage/get', { threadId: 'thr_nope' }), (err: { code?: number }) => err.code === -32001);
});

for (const [script, word, repeat] of [
  ['ASCII', 'x'.repeat(99), 100000],
  ['CJK (3 bytes a character)', '字'.repeat(99), 40000],
] as const) {
test(`a thread/events page stops short of its limit once it holds about 4 MiB of UTF-8, and paging on returns every event: ${script}`, async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: `!repeat ${repeat}\n${word}` });
  await events.turnCompleted(turn.id, 60_000);
  const { lastSeq } = (await client.request('thread/get', { threadId: thread.id })).thread;
  const first = await client.request('thread/events', { threadId: thread.id, limit: 10000 });
  assert.ok(first.events.length < lastSeq, `one page of ${first.events.length} of ${lastSeq} events`);
  assert.ok(Buffer.byteLength(JSON.stringify(first.events)) < 4.2 * 1024 * 1024);
  let seen = first.events.length;
  let streamed = 0;
  for (let after = first.events.at(-1)!.seq; after < lastSeq; ) {
    const page = await client.request('thread/events', { threadId: thread.id, afterSeq: after, limit: 10000 });
    assert.equal(page.events[0]!.seq, after + 1);
    seen += page.events.length;
    for (const e of page.events) if (e.kind === 'item.delta') streamed += (e.payload as { text: string }).text.length;
    after = page.events.at(-1)!.seq;
  }
  for (const e of first.events) if (e.kind === 'item.delta') streamed += (e.payload as { text: string }).text.length;
  assert.equal(seen, lastSeq);
  assert.equal(streamed, 'echo[1]:'.length + repeat * (word.length + 1));
});
}
