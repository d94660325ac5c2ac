import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParamsError, ThreadNotFoundError, TurnNotFoundError, type ThreadlineClient } from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

async function texts(client: ThreadlineClient, threadId: string) {
  const { turns = [] } = await client.request('thread/get', { threadId, includeTurns: true });
  const out: string[] = [];
  for (const t of turns) for (const item of (await client.request('turn/get', { turnId: t.id })).items) out.push(item.detail ?? '');
  return out;
}

test('thread/fork copies the visible history into a new thread with new ids; its log starts with thread.forked', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client, { title: 'src', model: 'm1', systemPrompt: 'be brief', metadata: { k: 1 } });
  const one = await turn(client, events, source.id, 'one');
  await turn(client, events, source.id, 'two');
  const sourceSeq = (await client.request('thread/get', { threadId: source.id })).thread.lastSeq;

  const forked = await client.request('thread/fork', { threadId: source.id });
  assert.equal(forked.copiedTurns, 2);
  assert.equal(forked.droppedTurnId, null);
  assert.equal(forked.originalUserText, null);
  const f = forked.thread;
  assert.notEqual(f.id, source.id);
  assert.deepStrictEqual([f.title, f.model, f.systemPrompt, f.metadata, f.archived], ['src', 'm1', 'be brief', { k: 1 }, false]);
  assert.deepStrictEqual(f.forkedFrom, { threadId: source.id });
  assert.equal(f.preview, 'echo[2]: two');
  assert.deepStrictEqual(await texts(client, f.id), await texts(client, source.id));
  const { turns = [] } = await client.request('thread/get', { threadId: f.id, includeTurns: true });
  assert.ok(turns.every((x) => x.id !== one.id && x.threadId === f.id && x.status === 'completed'));

  const log = await client.request('thread/events', { threadId: f.id });
  assert.deepStrictEqual(log.events.map((e) => e.kind), ['thread.forked']);
  assert.deepStrictEqual((log.events[0]!.payload as { source: unknown }).source, { threadId: source.id });
  assert.equal((await client.request('thread/get', { threadId: source.id })).thread.lastSeq, sourceSeq, "the source's log gets nothing");

  // The fork's engine sees exactly the copied history: its next reply counts three user messages.
  const next = await turn(client, events, f.id, 'three');
  assert.equal((await client.request('turn/get', { turnId: next.id })).items.at(-1)!.detail, 'echo[3]: three');
});

test('thread/fork depthFromTail forks before the n-th newest user turn and hands back its id and text to edit', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client);
  await turn(client, events, source.id, 'one');
  const two = await turn(client, events, source.id, 'two');
  const three = await turn(client, events, source.id, 'three');

  const newest = await client.request('thread/fork', { threadId: source.id, depthFromTail: 0 });
  assert.deepStrictEqual([newest.copiedTurns, newest.droppedTurnId, newest.originalUserText], [2, three.id, 'three']);
  const older = await client.request('thread/fork', { threadId: source.id, depthFromTail: 1, title: 'edit' });
  assert.deepStrictEqual([older.copiedTurns, older.droppedTurnId, older.originalUserText, older.thread.title], [1, two.id, 'two', 'edit']);
  assert.deepStrictEqual(older.thread.forkedFrom, { threadId: source.id, turnId: two.id });
  const next = await turn(client, events, older.thread.id, 'deux');
  assert.equal((await client.request('turn/get', { turnId: next.id })).items.at(-1)!.detail, 'echo[2]: deux');

  await assert.rejects(
    client.request('thread/fork', { threadId: source.id, depthFromTail: 3 }),
    (err) => err instanceof InvalidParamsError && /has 3 visible turns with a user message/.test(err.message),
  );
  const before = await client.request('thread/fork', { threadId: source.id, beforeTurnId: two.id });
  assert.equal(before.copiedTurns, 1);
});

test('thread/fork skips reverted and superseded turns, copies a busy thread without its running turn or queue', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client);
  await turn(client, events, source.id, 'one');
  const two = await turn(client, events, source.id, 'two');
  const edited = await client.request('thread/editLastTurn', { threadId: source.id, content: 'deux' });
  await events.turnCompleted(edited.turn.id);
  const three = await turn(client, events, source.id, 'three');
  await client.request('thread/revert', { threadId: source.id, beforeTurnId: three.id });
  await client.request('thread/startTurn', { threadId: source.id, prompt: '!hang' });
  await client.request('thread/startTurn', { threadId: source.id, prompt: 'queued', delivery: 'queue' });

  const forked = await client.request('thread/fork', { threadId: source.id });
  assert.equal(forked.copiedTurns, 2);
  assert.equal(forked.thread.status, 'idle');
  assert.equal(forked.thread.queuedCount, 0);
  const copied = await texts(client, forked.thread.id);
  assert.deepStrictEqual(copied, ['one', 'echo[1]: one', 'deux', 'echo[2]: deux']);
  assert.ok(!copied.includes('two') && two.id !== undefined);
  await client.request('thread/interrupt', { threadId: source.id });
});

test('thread/fork of an unknown thread is -32001, of a foreign beforeTurnId -32003, and both at once -32602', async (t) => {
  const { client, events } = await startServer(t);
  const source = await newThread(client);
  const other = await newThread(client);
  const foreign = await turn(client, events, other.id, 'x');
  await assert.rejects(client.request('thread/fork', { threadId: 'thr_nope' }), (err) => err instanceof ThreadNotFoundError);
  await assert.rejects(client.request('thread/fork', { threadId: source.id, beforeTurnId: foreign.id }), (err) => err instanceof TurnNotFoundError);
  await assert.rejects(
    client.request('thread/fork', { threadId: source.id, beforeTurnId: foreign.id, depthFromTail: 0 }),
    (err) => err instanceof InvalidParamsError && err.message.includes('not both'),
  );
  const { threads } = await client.request('thread/list', {});
  assert.equal(threads.length, 2, 'nothing was created');
});
