import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, ThreadNotFoundError, type ThreadlineClient } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string, model?: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt, model });
  await events.turnCompleted(turn.id);
  return turn;
}

const zero = { cachedInputTokens: 0, reasoningTokens: 0, costUsd: null };

test('usage/report groups ended turns by model and thread, sorted by key, with a total', async (t) => {
  const { client, events } = await startServer(t);
  const a = await newThread(client, { model: 'm1' });
  const b = await newThread(client);
  await turn(client, events, a.id, '!usage 10 2\nx');
  await turn(client, events, a.id, '!usage 20 4\ny', 'm0');
  await turn(client, events, b.id, '!usage 1 1\nz');

  const byModel = await client.request('usage/report', { groupBy: 'model' });
  assert.deepStrictEqual(byModel.buckets, [
    { key: 'm0', turns: 1, inputTokens: 20, outputTokens: 4, cacheHitRate: 0, ...zero },
    { key: 'm1', turns: 1, inputTokens: 10, outputTokens: 2, cacheHitRate: 0, ...zero },
    { key: 'unknown', turns: 1, inputTokens: 1, outputTokens: 1, cacheHitRate: 0, ...zero },
  ]);
  assert.deepStrictEqual(byModel.total, { key: 'total', turns: 3, inputTokens: 31, outputTokens: 7, cacheHitRate: 0, ...zero });

  const byThread = await client.request('usage/report', { groupBy: 'thread' });
  assert.deepStrictEqual(byThread.buckets.map((x) => [x.key, x.turns]), [[a.id, 2], [b.id, 1]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
  const one = await client.request('usage/report', { groupBy: 'thread', threadId: b.id });
  assert.deepStrictEqual(one.buckets.map((x) => x.key), [b.id]);
  await assert.rejects(client.request('usage/report', { groupBy: 'day', threadId: 'thr_missing' }), ThreadNotFoundError);
});

test('usage/report by day counts ended turns created in [since, until]; copies (fork, import) are not counted again', async (t) => {
  const { client, events } = await startServer(t);
  const before = new Date(Date.now() - 1000).toISOString();
  const thread = await newThread(client);
  await turn(client, events, thread.id, '!usage 100 10\nx');
  await turn(client, events, thread.id, '!usage 0 5\ny');
  const after = new Date(Date.now() + 1000).toISOString();
  const today = before.slice(0, 10);

  const report = await client.request('usage/report', { groupBy: 'day', since: before, until: after });
  assert.deepStrictEqual(report.buckets, [{ key: today, turns: 2, inputTokens: 100, outputTokens: 15, cacheHitRate: 0, ...zero }]);
  const noInput = await client.request('usage/report', { groupBy: 'day', since: before, until: after, threadId: thread.id });
  assert.equal(noInput.total.costUsd, null, 'no turn had a price');
  // An instant with an offset is the same instant: the window one hour east still holds the turns.
  const shifted = (iso: string) => new Date(Date.parse(iso) + 3600_000).toISOString().replace('Z', '+01:00');
  assert.equal((await client.request('usage/report', { groupBy: 'day', since: shifted(before), until: shifted(after) })).total.turns, 2);
  assert.deepStrictEqual((await client.request('usage/report', { groupBy: 'day', until: before })).buckets, []);
  assert.deepStrictEqual((await client.request('usage/report', { groupBy: 'day', since: after })).buckets, []);

  // A fork and an import copy the turns with their usage; the report still counts the spending once.
  await client.request('thread/fork', { threadId: thread.id });
  const { document } = await client.request('thread/export', { threadId: thread.id });
  await client.request('thread/import', { document });
  assert.equal((await client.request('usage/report', { groupBy: 'thread' })).total.turns, 2);

  for (const [params, field] of [
    [{ since: 'yesterday' }, 'since'],
    [{ until: '2026-13-01T00:00:00Z' }, 'until'],
    [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'since'],
  ] as const) {
    await assert.rejects(client.request('usage/report', { groupBy: 'day', ...params }), (e: unknown) => e instanceof InvalidParamsError && e.data.issues[0]!.path[0] === field);
  }
  await assert.rejects(client.request('usage/report', { groupBy: 'week' } as never), InvalidParamsError);
});
