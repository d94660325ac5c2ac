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

test('usage/report by day counts turns created in [since, until]; cost and cache rate are null when unknown', async (t) => {
  const { client } = await startServer(t);
  const source = await newThread(client);
  const { document } = await client.request('thread/export', { threadId: source.id });
  const at = (day: string) => `2026-01-${day}T10:00:00.000Z`;
  let n = 0;
  const turnOn = (day: string, status: 'completed' | 'failed', usage: object) => ({
    turn: { id: `turn_01900000-0000-7000-8000-${String(++n).padStart(12, '0')}`, threadId: source.id, status, inputSummary: day, createdAt: at(day), itemIds: [], steerCount: 0, kind: 'prompt' as const, usage },
    items: [],
  });
  const turns = [
    turnOn('01', 'completed', { inputTokens: 100, outputTokens: 10, cachedInputTokens: 50, costUsd: 0.5 }),
    turnOn('01', 'failed', { inputTokens: 100, outputTokens: 0, costUsd: 0.25 }),
    turnOn('02', 'completed', { inputTokens: 0, outputTokens: 5 }),
    turnOn('03', 'completed', { inputTokens: 9, outputTokens: 9 }),
  ];
  await client.request('thread/import', { document: { ...document, turns } as never });

  const report = await client.request('usage/report', { groupBy: 'day', since: '2026-01-01T00:00:00Z', until: '2026-01-02T23:59:59+00:00' });
  assert.deepStrictEqual(report.buckets, [
    { key: '2026-01-01', turns: 2, inputTokens: 200, cachedInputTokens: 50, outputTokens: 10, reasoningTokens: 0, costUsd: 0.75, cacheHitRate: 0.25 },
    { key: '2026-01-02', turns: 1, inputTokens: 0, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, costUsd: null, cacheHitRate: null },
  ]);
  assert.deepStrictEqual([report.total.turns, report.total.costUsd, report.total.cacheHitRate], [3, 0.75, 0.25]);
  // An offset is an instant: 11:00+01:00 is 10:00Z, so the turn of the 3rd is counted up to it.
  const edge = await client.request('usage/report', { groupBy: 'day', since: '2026-01-03T11:00:00+01:00', until: '2026-01-03T11:00:00+01:00' });
  assert.deepStrictEqual(edge.buckets.map((x) => x.key), ['2026-01-03']);
  assert.deepStrictEqual((await client.request('usage/report', { groupBy: 'day', since: '2027-01-01T00:00:00Z' })).buckets, []);

  for (const [params, field] of [
    [{ since: 'yesterday' }, 'since'],
    [{ until: '2026-13-01T00:00:00Z' }, 'until'],
    [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'since'],
  ] as const) {
    await assert.rejects(client.request('usage/report', { groupBy: 'day', ...params }), (e: unknown) => e instanceof InvalidParamsError && e.data.issues[0]!.path[0] === field);
  }
  await assert.rejects(client.request('usage/report', { groupBy: 'week' } as never), InvalidParamsError);
});
