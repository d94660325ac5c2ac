import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadlineClient, Turn } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

// Issue 12: every history operation survives kill -9. These cover fork and the search index;
// revert, compaction and queue edits have theirs beside their other tests.

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

/** The reply and the input tokens the echo engine counted: which user messages it holds. */
async function engineView(client: ThreadlineClient, turnId: string) {
  const { turn, items } = await client.request('turn/get', { turnId });
  return { reply: items.at(-1)!.detail, inputTokens: turn.usage?.inputTokens };
}

/** Everything a client can read of a thread: its record, both turn orders page by page, items and log. */
async function snapshot(client: ThreadlineClient, threadId: string) {
  const get = await client.request('thread/get', { threadId, includeTurns: true });
  const pages: Record<string, Turn[][]> = {};
  for (const order of ['asc', 'desc'] as const) {
    pages[order] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request('thread/turns', { threadId, order, limit: 1, cursor });
      pages[order].push(page.turns);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  const items = [];
  for (const t of get.turns ?? []) items.push((await client.request('turn/items', { turnId: t.id, limit: 1 })).items);
  const log = await client.request('thread/events', { threadId });
  return { get, pages, items, log };
}

test('a fork survives kill -9: the same records and pages, forkedFrom kept, the restarted engine sees the copied history', async (t) => {
  const first = await startServer(t);
  const source = await newThread(first.client, { title: 'source' });
  await turn(first.client, first.events, source.id, 'alpha one');
  await turn(first.client, first.events, source.id, 'beta two words');
  const third = await turn(first.client, first.events, source.id, 'gamma');
  const whole = (await first.client.request('thread/fork', { threadId: source.id, title: 'whole' })).thread;
  const before = (await first.client.request('thread/fork', { threadId: source.id, beforeTurnId: third.id })).thread;
  // The whole fork ran a turn of its own before the kill; `before` never loaded an engine.
  await turn(first.client, first.events, whole.id, 'own turn');
  const snapshots = [await snapshot(first.client, whole.id), await snapshot(first.client, before.id)];
  assert.equal(snapshots[0]!.get.turns!.length, 4);
  assert.equal(snapshots[1]!.get.turns!.length, 2);
  await first.kill();

  const second = await startServer(t, { dbPath: first.dbPath });
  assert.deepStrictEqual([await snapshot(second.client, whole.id), await snapshot(second.client, before.id)], snapshots);
  const [w, b] = [snapshots[0]!.get.thread, snapshots[1]!.get.thread];
  assert.deepStrictEqual(w.forkedFrom, { threadId: source.id });
  assert.deepStrictEqual(b.forkedFrom, { threadId: source.id, turnId: third.id });
  assert.equal(snapshots[0]!.log.events[0]!.kind, 'thread.forked');

  // Each engine is rebuilt from its own thread's history: N user messages, their words + the new one's.
  const nextBefore = await turn(second.client, second.events, before.id, 'delta four');
  assert.deepStrictEqual(await engineView(second.client, nextBefore.id), { reply: 'echo[3]: delta four', inputTokens: 2 + 3 + 2 });
  const nextWhole = await turn(second.client, second.events, whole.id, 'five');
  assert.deepStrictEqual(await engineView(second.client, nextWhole.id), { reply: 'echo[5]: five', inputTokens: 2 + 3 + 1 + 2 + 1 });
  const nextSource = await turn(second.client, second.events, source.id, 'six');
  assert.deepStrictEqual(await engineView(second.client, nextSource.id), { reply: 'echo[4]: six', inputTokens: 2 + 3 + 1 + 1 });
});

test('the search index survives kill -9: the same hits and pages, the last write before the kill included, a deleted thread still gone', async (t) => {
  const first = await startServer(t);
  const { client, events } = first;
  const orchard = await newThread(client, { title: 'Orchard plans' });
  await turn(client, events, orchard.id, 'pick the apples tomorrow');
  const archived = await newThread(client, { title: 'apples archive' });
  await client.request('thread/archive', { threadId: archived.id });
  const doomed = await newThread(client, { title: 'apples to delete' });
  await turn(client, events, doomed.id, 'apples in the basket');
  await client.request('thread/delete', { threadId: doomed.id });
  const renamed = await newThread(client, { title: 'pears' });
  await client.request('thread/update', { threadId: renamed.id, title: 'apples and pears' });

  const queries = [
    { query: 'apples' },
    { query: 'apples', limit: 2 },
    { query: 'apples', archived: true },
    { query: 'pears' },
    { query: 'tomorrow' },
    { query: 'basket' },
    { query: 'delete' },
  ];
  const search = (c: ThreadlineClient) => Promise.all(queries.map((q) => c.request('thread/search', q)));
  const found = await search(client);
  // What the index holds before the kill: the orchard turn's two messages and the new title.
  assert.deepStrictEqual(found[0]!.results.map((r) => r.thread.id).sort(), [orchard.id, orchard.id, renamed.id].sort());
  assert.ok(found[1]!.nextCursor !== undefined);
  assert.deepStrictEqual(found[2]!.results.map((r) => r.thread.id), [archived.id]);
  assert.deepStrictEqual(found[3]!.results.map((r) => r.thread.id), [renamed.id]);
  assert.deepStrictEqual([found[5]!.results, found[6]!.results], [[], []]);
  const pageTwo = await client.request('thread/search', { query: 'apples', limit: 2, cursor: found[1]!.nextCursor });
  await first.kill();

  const second = await startServer(t, { dbPath: first.dbPath });
  assert.deepStrictEqual(await search(second.client), found);
  assert.deepStrictEqual(await second.client.request('thread/search', { query: 'apples', limit: 2, cursor: found[1]!.nextCursor }), pageTwo);
  assert.deepStrictEqual(await second.client.request('thread/search', { query: 'pears apples' }), { results: [found[3]!.results[0]] });
  const { threads } = await second.client.request('thread/list', {});
  assert.ok(threads.every((th) => th.id !== doomed.id));
});
