import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, type ThreadlineClient } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

const TIME = /At$/;
const ID_FIELDS = new Set(['id', 'threadId', 'turnId', 'latestTurnId', 'supersededBy', 'importedFrom', 'lastSeq', 'durationMs']);

/** The document with ids, times and provenance blanked: what a round trip must keep equal. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (TIME.test(k) || ID_FIELDS.has(k)) out[k] = typeof v;
      else if (k === 'itemIds') out[k] = (v as unknown[]).length;
      else out[k] = comparable(v);
    }
    return out;
  }
  return value;
}

test('export → import → export is equal apart from ids, times and importedFrom; the import starts with thread.imported', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client, { title: 'trip', model: 'm1', systemPrompt: 'be brief', metadata: { k: [1] } });
  await turn(client, events, source.id, 'one');
  await turn(client, events, source.id, '!usage 7 3\ntwo');
  const three = await turn(client, events, source.id, 'three');
  await client.request('thread/revert', { threadId: source.id, beforeTurnId: three.id });

  const { document } = await client.request('thread/export', { threadId: source.id });
  assert.deepStrictEqual([document.format, document.version, document.turns.length], ['threadline.thread', 1, 3]);
  const imported = await client.request('thread/import', { document });
  assert.equal(imported.importedTurns, 3);
  assert.equal(imported.thread.importedFrom, source.id);
  assert.notEqual(imported.thread.id, source.id);
  const log = await client.request('thread/events', { threadId: imported.thread.id });
  assert.deepStrictEqual(log.events.map((e) => [e.kind, e.seq]), [['thread.imported', 1]]);
  assert.equal((log.events[0]!.payload as { importedTurns: number }).importedTurns, 3);

  const again = (await client.request('thread/export', { threadId: imported.thread.id })).document;
  // Provenance differs by design; an import runs no turn, so (like a fork) it names no latestTurnId yet.
  const { importedFrom, latestTurnId: _none, ...rest } = again.thread;
  assert.equal(importedFrom, source.id);
  assert.deepStrictEqual(comparable({ ...again, thread: rest }), comparable({ ...document, thread: (({ latestTurnId: _l, ...t }) => t)(document.thread) }));
  assert.ok(again.turns.every(({ turn, items }) => turn.threadId === imported.thread.id && items.every((i) => i.turnId === turn.id)));
  assert.ok(again.turns[2]!.turn.revertedAt, 'a reverted turn stays reverted');

  // The import's engine sees its visible history: two user messages, so the next reply is echo[3].
  const next = await turn(client, events, imported.thread.id, 'four');
  assert.equal((await client.request('turn/get', { turnId: next.id })).items.at(-1)!.detail, 'echo[3]: four');
});

test('thread/import { messages }: each user message with the replies after it is one turn; the engine sees the conversation', async (t) => {
  const { client, events } = await startServer(t);
  const { thread, importedTurns } = await client.request('thread/import', {
    title: 'transcript',
    messages: [
      { role: 'user', text: 'hi' },
      { role: 'user', text: 'there' },
      { role: 'assistant', text: 'hello' },
      { role: 'assistant', text: 'how can I help' },
      { role: 'user', text: 'plan a trip' },
      { role: 'assistant', text: 'where to' },
    ],
  });
  assert.equal(importedTurns, 2);
  assert.equal(thread.title, 'transcript');
  assert.equal(thread.importedFrom, undefined);
  const { document } = await client.request('thread/export', { threadId: thread.id });
  assert.deepStrictEqual(
    document.turns.map(({ turn, items }) => [turn.status, turn.inputSummary, items.map((i) => `${i.kind}:${i.detail}`)]),
    [
      ['completed', 'hi\nthere', ['user_message:hi\nthere', 'agent_message:hello', 'agent_message:how can I help']],
      ['completed', 'plan a trip', ['user_message:plan a trip', 'agent_message:where to']],
    ],
  );
  // Imported messages are searchable at once.
  assert.equal((await client.request('thread/search', { query: 'trip' })).results.length, 1);
  const next = await turn(client, events, thread.id, 'go');
  assert.equal((await client.request('turn/get', { turnId: next.id })).items.at(-1)!.detail, 'echo[3]: go');
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

test('thread/import refuses another format, a newer version or an invalid document with the path, and creates nothing', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client, { title: 'x' });
  await turn(client, events, source.id, 'one');
  const { document } = await client.request('thread/export', { threadId: source.id });
  assert.equal(document.turns.length, 1);
  const cases: [unknown, (string | number)[], RegExp][] = [
    [{ ...document, format: 'other' }, ['document', 'format'], /format/],
    [{ ...document, version: 2 }, ['document', 'version'], /newer/],
    [{ ...document, thread: { ...document.thread, title: 5 } }, ['document', 'thread', 'title'], /./],
    [{ ...document, thread: { ...document.thread, title: 'x'.repeat(1001) } }, ['document', 'thread', 'title'], /longer/],
    [{ ...document, turns: [{ turn: { id: 'turn_x' }, items: [] }] }, ['document', 'turns', 0, 'turn'], /./],
    [{ ...document, turns: [document.turns[0], document.turns[0]] }, ['document', 'turns', 1, 'turn', 'id'], /twice/],
    [{ ...document, thread: { ...document.thread, metadata: nested(300) } }, ['document'], /nested/],
  ];
  for (const [bad, path, message] of cases) {
    await assert.rejects(client.request('thread/import', { document: bad } as never), (e: unknown) => {
      assert.ok(e instanceof InvalidParamsError, String(e));
      const issue = e.data.issues.find((i) => path.every((p, k) => i.path[k] === p));
      assert.ok(issue, JSON.stringify(e.data.issues));
      assert.match(issue.message, message);
      return true;
    });
  }
  await assert.rejects(client.request('thread/import', {} as never), InvalidParamsError);
  await assert.rejects(client.request('thread/import', { document, messages: [{ role: 'user', text: 'a' }] } as never), InvalidParamsError);
  await assert.rejects(client.request('thread/import', { messages: [{ role: 'robot', text: 'a' }] } as never), InvalidParamsError);
  const { threads } = await client.request('thread/list', {});
  assert.deepStrictEqual(threads.map((x) => x.id), [source.id], 'nothing was created');
});

test('an imported thread survives a restart, searchable and exportable', async (t) => {
  const first = await startServer(t);
  const { thread } = await first.client.request('thread/import', { messages: [{ role: 'user', text: 'persisted words' }] });
  await first.spawned.close();
  const second = await startServer(t, { dbPath: first.dbPath });
  const found = await second.client.request('thread/search', { query: 'persisted' });
  assert.deepStrictEqual(found.results.map((h) => h.thread.id), [thread.id]);
  const { document } = await second.client.request('thread/export', { threadId: thread.id });
  assert.equal(document.turns.length, 1);
});

test('thread/import bounds a document: more than 10,000 turns is -32602; past the message cap the message is refused whole', async (t) => {
  const { client } = await startServer(t, { args: ['--max-message-bytes', String(8 * 1024 * 1024)] });
  const source = await newThread(client, { title: 'x' });
  const { document } = await client.request('thread/export', { threadId: source.id });
  const turn = {
    id: 'turn_01900000-0000-7000-8000-000000000001', threadId: source.id, status: 'completed' as const, inputSummary: '',
    createdAt: document.exportedAt, itemIds: [], steerCount: 0, kind: 'prompt' as const,
  };
  const many = { ...document, turns: Array.from({ length: 10_001 }, () => ({ turn, items: [] })) };
  await assert.rejects(client.request('thread/import', { document: many }), (e: unknown) => {
    assert.ok(e instanceof InvalidParamsError);
    assert.deepStrictEqual(e.data.issues[0]!.path, ['document', 'turns']);
    return true;
  });
  const huge = { ...document, thread: { ...document.thread, systemPrompt: 'x'.repeat(9 * 1024 * 1024) } };
  await assert.rejects(client.request('thread/import', { document: huge }), (e: unknown) => (e as { code?: number }).code === -32600);
  assert.deepStrictEqual((await client.request('thread/list', {})).threads.map((x) => x.id), [source.id], 'nothing was created');
});
