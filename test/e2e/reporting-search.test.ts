import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InvalidParamsError, type ThreadlineClient } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

const hits = async (client: ThreadlineClient, query: string, more: { archived?: boolean; limit?: number } = {}) =>
  (await client.request('thread/search', { query, ...more })).results;

test('thread/search finds title and message words and prefixes, case-insensitively, best match first', async (t) => {
  const { client, events } = await startServer(t);
  const planning = await newThread(client, { title: 'Quarterly Planning' });
  const other = await newThread(client, { title: 'misc' });
  const asked = await turn(client, events, other.id, 'what about the planning meeting');

  const title = await hits(client, 'quarterly');
  assert.deepStrictEqual(title.map((h) => [h.thread.id, h.turnId, h.itemId, h.snippet]), [[planning.id, null, null, 'Quarterly Planning']]);

  const message = await hits(client, 'MEETING');
  assert.equal(message.length, 2, 'the user message and the echo reply');
  assert.ok(message.every((h) => h.thread.id === other.id && h.turnId === asked.id && h.itemId !== null));
  const { items } = await client.request('turn/get', { turnId: asked.id });
  assert.deepStrictEqual(new Set(message.map((h) => h.itemId)), new Set(items.map((i) => i.id)));

  // A prefix: "plan" matches "Planning" (title) and "planning" (messages); the short title ranks first.
  const prefix = await hits(client, 'plan');
  assert.equal(prefix.length, 3);
  assert.deepStrictEqual([prefix[0]!.thread.id, prefix[0]!.itemId], [planning.id, null]);
  assert.deepStrictEqual(await hits(client, 'planx'), []);
  // More occurrences in a text of the same length rank higher.
  const often = await newThread(client, { title: 'kiwi kiwi kiwi pear' });
  const once = await newThread(client, { title: 'kiwi pear pear pear' });
  assert.deepStrictEqual((await hits(client, 'kiwi')).map((h) => h.thread.id), [often.id, once.id]);
  // Every word must match.
  assert.deepStrictEqual((await hits(client, 'planning quarterly')).map((h) => h.thread.id), [planning.id]);
});

test('thread/search: a retitled thread is found by its new title only; a deleted thread vanishes at once', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client, { title: 'alpha' });
  await client.request('thread/update', { threadId: thread.id, title: 'omega' });
  assert.deepStrictEqual(await hits(client, 'alpha'), []);
  assert.equal((await hits(client, 'omega')).length, 1);
  await client.request('thread/delete', { threadId: thread.id });
  assert.deepStrictEqual(await hits(client, 'omega'), []);
});

test('thread/search finds archived threads only with archived: true', async (t) => {
  const { client } = await startServer(t);
  const live = await newThread(client, { title: 'zebra one' });
  const old = await newThread(client, { title: 'zebra two' });
  await client.request('thread/archive', { threadId: old.id });
  assert.deepStrictEqual((await hits(client, 'zebra')).map((h) => h.thread.id), [live.id]);
  assert.deepStrictEqual((await hits(client, 'zebra', { archived: true })).map((h) => h.thread.id), [old.id]);
});

test('thread/search pages with a cursor: every hit once, none skipped; a bad cursor is -32602 naming cursor', async (t) => {
  const { client } = await startServer(t);
  const ids = new Set<string>();
  for (let i = 0; i < 23; i++) ids.add((await newThread(client, { title: `paged topic ${'x'.repeat(i)}` })).id);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request('thread/search', { query: 'topic', limit: 5, cursor });
    assert.ok(page.results.length <= 5);
    seen.push(...page.results.map((h) => h.thread.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 23);
  assert.deepStrictEqual(new Set(seen), ids);

  const first = await client.request('thread/search', { query: 'topic', limit: 5 });
  for (const bad of ['nope', Buffer.from('[1,2]').toString('base64url')]) {
    await assert.rejects(client.request('thread/search', { query: 'topic', cursor: bad }), (e: unknown) => e instanceof InvalidParamsError && e.data.issues[0]!.path[0] === 'cursor');
  }
  // A cursor belongs to its query.
  await assert.rejects(client.request('thread/search', { query: 'paged', cursor: first.nextCursor }), InvalidParamsError);
});

test('thread/search paging stays stable while threads are added and deleted between pages', async (t) => {
  const { client } = await startServer(t);
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await newThread(client, { title: `stable ${'pad '.repeat(i)}` })).id);
  const seen: string[] = [];
  let page = await client.request('thread/search', { query: 'stable', limit: 4 });
  seen.push(...page.results.map((h) => h.thread.id));
  let round = 0;
  while (page.nextCursor) {
    // Writes between pages: other threads (they move every rank), a new hit and a deleted one.
    for (let i = 0; i < 5; i++) await newThread(client, { title: `noise ${round} ${i}` });
    ids.push((await newThread(client, { title: `stable late ${round}` })).id);
    if (round === 1) {
      const gone = seen[0]!;
      await client.request('thread/delete', { threadId: gone });
    }
    round++;
    page = await client.request('thread/search', { query: 'stable', limit: 4, cursor: page.nextCursor });
    seen.push(...page.results.map((h) => h.thread.id));
  }
  assert.equal(new Set(seen).size, seen.length, `no hit twice: ${seen.length} hits, ${new Set(seen).size} distinct`);
  for (const id of ids.slice(0, 12)) assert.ok(seen.includes(id), `original hit ${id} was not skipped`);
});

test('thread/search: hostile queries never fail, whatever the FTS5 syntax in them', async (t) => {
  const { client } = await startServer(t);
  await newThread(client, { title: 'and or not near' });
  for (const q of ['"', 'AND', 'OR', 'NOT', '*', '^', '(', ')', 'a:b', 'title:x', 'NEAR(a b)', '"unterminated', '-x', '+', '{a b}:c', '\u0000', 'a AND', 'AND OR NOT']) {
    await client.request('thread/search', { query: q });
  }
  // Operator words are plain words: "and" finds the title that contains it.
  assert.equal((await hits(client, 'AND')).length, 1);
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 40, unit: 'binary' }), async (q) => {
      const r = await client.request('thread/search', { query: q });
      assert.ok(Array.isArray(r.results));
    }),
    { numRuns: 150 },
  );
});

test('thread/search snippets are at most 200 characters around the hit', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const long = `${'lorem '.repeat(300)}needle ${'ipsum '.repeat(300)}`;
  await turn(client, events, thread.id, long);
  const [hit] = await hits(client, 'needle', { limit: 1 });
  assert.ok(hit);
  assert.ok(hit.snippet.length <= 200, `${hit.snippet.length}`);
  assert.match(hit.snippet, /needle/);
});
