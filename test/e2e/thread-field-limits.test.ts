import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

// A thread record travels in every thread/list page and thread.* event, so each of its fields is
// bounded; a value past its bound is answered -32602 naming the field, and nothing changes.
const rejects = (field: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof InvalidParamsError, String(err));
  assert.equal(err.data.issues[0]?.path.join('.'), field);
  assert.match(err.message, message);
  return true;
};

test('over-long thread settings, turn options and routing rules are refused with -32602 naming the field', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client, { title: 't'.repeat(1000), metadata: { k: 'v'.repeat(60_000) } });
  for (const [params, field, message] of [
    [{ title: 't'.repeat(1001) }, 'title', /title is longer than 1000 characters/],
    [{ model: 'm'.repeat(257) }, 'model', /model is longer than 256 characters/],
    [{ systemPrompt: 's'.repeat(1024 * 1024 + 1) }, 'systemPrompt', /systemPrompt is longer than 1048576 characters/],
    [{ metadata: { k: 'v'.repeat(70_000) } }, 'metadata', /metadata is longer than 65536 characters of JSON/],
  ] as const) {
    await assert.rejects(client.request('thread/create', params as never), rejects(field, message));
    await assert.rejects(client.request('thread/update', { threadId: thread.id, ...params } as never), rejects(field, message));
  }
  await assert.rejects(
    client.request('thread/startTurn', { threadId: thread.id, prompt: 'hi', routeIntent: 'r'.repeat(300) }),
    rejects('routeIntent', /routeIntent is longer than 256/),
  );
  await assert.rejects(
    client.request('routing/setRules', { rules: Array.from({ length: 1001 }, (_, i) => ({ intent: `i${i}`, model: 'm' })) }),
    rejects('rules', /at most 1000 rules/),
  );
  await assert.rejects(client.request('routing/setRules', { rules: [{ intent: 'x'.repeat(257), model: 'm' }] }), rejects('rules.0.intent', /intent is longer/));
  // Nothing changed: one thread, as created, and no rules.
  const { threads } = await client.request('thread/list', {});
  assert.deepStrictEqual(threads, [(await client.request('thread/get', { threadId: thread.id })).thread]);
  assert.equal(threads[0]!.title.length, 1000);
  assert.deepStrictEqual((await client.request('routing/getRules', {})).rules, []);
});

test('a thread/list page of threads with long system prompts stops at about 4 MiB, and paging on returns every thread', async (t) => {
  const { client } = await startServer(t);
  const ids = new Set<string>();
  for (let i = 0; i < 6; i++) ids.add((await newThread(client, { title: `t${i}`, systemPrompt: `${i}`.repeat(600_000) })).id);
  const seen = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.request('thread/list', { limit: 200, ...(cursor ? { cursor } : {}) });
    assert.ok(Buffer.byteLength(JSON.stringify(page)) < 4.5 * 1024 * 1024, `page ${pages} is ${JSON.stringify(page).length} characters`);
    for (const thread of page.threads) seen.add(thread.id);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  assert.deepStrictEqual(seen, ids);
  assert.ok(pages > 1, 'the 3.6 MB of system prompts took more than one page');
});
