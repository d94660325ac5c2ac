import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  HostError,
  InvalidParamsError,
  NothingToEditError,
  ThreadArchivedError,
  ThreadBusyError,
  ThreadNotFoundError,
  type ThreadlineClient,
} from '@threadline/protocol';
import type { EventRecorder } from '../helpers/events.js';
import { newThread, startServer } from '../helpers/server.js';

async function turn(client: ThreadlineClient, events: EventRecorder, threadId: string, prompt: string) {
  const { turn } = await client.request('thread/startTurn', { threadId, prompt });
  await events.turnCompleted(turn.id);
  return turn;
}

async function reply(client: ThreadlineClient, turnId: string) {
  return (await client.request('turn/get', { turnId })).items.at(-1)!.detail;
}

/** Runs `thread/compact` to its end; the turn record as it ended, and its items. */
async function compaction(client: ThreadlineClient, events: EventRecorder, threadId: string, instructions?: string) {
  const started = await client.request('thread/compact', { threadId, ...(instructions !== undefined ? { instructions } : {}) });
  const ended = await events.turnCompleted(started.turn.id);
  return { started: started.turn, ended: ended.payload.turn, items: (await client.request('turn/get', { turnId: started.turn.id })).items };
}

test('thread/compact streams one context_compaction item "compacted N messages"; the next turn sees only the summary', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  await turn(client, events, thread.id, 'two');

  const { started, ended, items } = await compaction(client, events, thread.id);
  assert.deepStrictEqual([started.kind, started.status], ['compaction', 'in_progress']);
  assert.equal(ended.status, 'completed');
  assert.deepStrictEqual(
    items.map((i) => [i.kind, i.status, i.detail]),
    [['context_compaction', 'completed', 'compacted 4 messages']],
    'no user message; the summary counts the two user and two agent messages it replaces',
  );
  const log = events.of(thread.id).filter((e) => e.turnId === started.id).map((e) => e.kind);
  assert.deepStrictEqual(log.slice(0, 2), ['turn.started', 'item.started']);
  assert.ok(log.includes('item.delta'), 'the summary is streamed');
  assert.deepStrictEqual(log.slice(-2), ['item.completed', 'turn.completed']);

  const next = await turn(client, events, thread.id, 'three');
  assert.equal(await reply(client, next.id), 'echo[1]: three');
  // A second compaction replaces only what came after the first one (the summary is not a message).
  assert.equal((await compaction(client, events, thread.id)).items[0]!.detail, 'compacted 2 messages');
  const last = await turn(client, events, thread.id, 'four');
  assert.equal(await reply(client, last.id), 'echo[1]: four');
  // Every turn stays readable.
  const { turns = [] } = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.deepStrictEqual(turns.map((x) => x.kind), ['prompt', 'prompt', 'compaction', 'prompt', 'compaction', 'prompt']);
});

test('a compaction holds across kill -9: the restarted engine is rebuilt from the summary and what follows', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  await turn(first.client, first.events, thread.id, 'one');
  await compaction(first.client, first.events, thread.id);
  await turn(first.client, first.events, thread.id, 'two');
  await first.kill();
  const second = await startServer(t, { dbPath: first.dbPath });
  const next = await turn(second.client, second.events, thread.id, 'three');
  assert.equal(await reply(second.client, next.id), 'echo[2]: three');
  assert.equal((await compaction(second.client, second.events, thread.id)).items[0]!.detail, 'compacted 4 messages');
});

test('a compaction that fails, fails to start or is interrupted changes nothing the engine sees', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');

  const failed = await compaction(client, events, thread.id, '!fail summariser broke');
  assert.deepStrictEqual([failed.ended.kind, failed.ended.status, failed.ended.error], ['compaction', 'failed', 'summariser broke']);
  assert.deepStrictEqual(failed.items.map((i) => [i.kind, i.status]), [['context_compaction', 'failed']]);
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'two')).id), 'echo[2]: two');

  await assert.rejects(
    client.request('thread/compact', { threadId: thread.id, instructions: '!fail-start no summary today' }),
    (err) => err instanceof HostError && /failed to start the turn: no summary today/.test(err.message),
  );
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'three')).id), 'echo[3]: three');

  const hanging = await client.request('thread/compact', { threadId: thread.id, instructions: '!hang' });
  await events.waitFor({ kind: 'turn.started', turnId: hanging.turn.id });
  await client.request('thread/interrupt', { threadId: thread.id, turnId: hanging.turn.id });
  assert.equal((await events.turnCompleted(hanging.turn.id)).payload.turn.status, 'interrupted');
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'four')).id), 'echo[4]: four');
});

test('an interrupted compaction, or one cut by kill -9, changes nothing after a restart (the summary streamed so far is ignored)', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  await turn(first.client, first.events, thread.id, 'one');
  const slow = await first.client.request('thread/compact', { threadId: thread.id, instructions: '!word-delay 60000' });
  await first.events.waitFor({ kind: 'item.delta', turnId: slow.turn.id });
  await first.client.request('thread/interrupt', { threadId: thread.id, turnId: slow.turn.id });
  const items = (await first.client.request('turn/get', { turnId: slow.turn.id })).items;
  assert.deepStrictEqual(items.map((i) => [i.kind, i.detail, i.metadata?.interrupted]), [['context_compaction', 'compacted', true]]);
  // And one killed mid-stream: recovered `interrupted` at the restart, ignored like the other.
  const killed = await first.client.request('thread/compact', { threadId: thread.id, instructions: '!word-delay 60000' });
  await first.events.waitFor({ kind: 'item.delta', turnId: killed.turn.id });
  await first.kill();
  const second = await startServer(t, { dbPath: first.dbPath });
  assert.equal((await second.client.request('turn/get', { turnId: killed.turn.id })).turn.status, 'interrupted');
  assert.equal(await reply(second.client, (await turn(second.client, second.events, thread.id, 'two')).id), 'echo[2]: two');
});

test('thread/compact on a busy, archived or unknown thread is refused and changes nothing; oversized instructions are -32602', async (t) => {
  const { client, events } = await startServer(t, { args: ['--max-prompt-bytes', '64'] });
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  await assert.rejects(client.request('thread/compact', { threadId: 'thr_missing' }), (err) => err instanceof ThreadNotFoundError && err.code === -32001);
  await assert.rejects(
    client.request('thread/compact', { threadId: thread.id, instructions: 'x'.repeat(65) }),
    (err) => err instanceof InvalidParamsError && /instructions is 65 bytes/.test(err.message),
  );

  const running = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const before = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  await assert.rejects(client.request('thread/compact', { threadId: thread.id }), (err) => err instanceof ThreadBusyError && err.code === -32010);
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id, includeTurns: true }), before);
  await client.request('thread/interrupt', { threadId: thread.id, turnId: running.turn.id });
  await events.turnCompleted(running.turn.id);

  // A compaction is a turn: while it runs, another one or a prompt without delivery is busy.
  const hanging = await client.request('thread/compact', { threadId: thread.id, instructions: '!hang' });
  await assert.rejects(client.request('thread/compact', { threadId: thread.id }), (err) => err instanceof ThreadBusyError);
  await client.request('thread/interrupt', { threadId: thread.id, turnId: hanging.turn.id });
  await events.turnCompleted(hanging.turn.id);

  await client.request('thread/archive', { threadId: thread.id });
  const archived = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  await assert.rejects(client.request('thread/compact', { threadId: thread.id }), (err) => err instanceof ThreadArchivedError && err.code === -32012);
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id, includeTurns: true }), archived);
});

test('a host that cannot compact answers -32020 naming it, and nothing is written', async (t) => {
  const engine = fileURLToPath(new URL('../../examples/engines/echo_engine.py', import.meta.url));
  const { client, events } = await startServer(t, { args: ['--host', 'exec', '--host-option', `command=python3 "${engine}"`] });
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  const before = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  await assert.rejects(
    client.request('thread/compact', { threadId: thread.id }),
    (err) => err instanceof HostError && err.code === -32020 && /the exec host cannot compact/.test(err.message) && (err.data as { host?: string }).host === 'exec',
  );
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id, includeTurns: true }), before);
});

test('a fork after a compaction copies the summary, and the fork\'s engine sees it instead of what came before', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  await turn(client, events, thread.id, 'two');
  await compaction(client, events, thread.id);
  await turn(client, events, thread.id, 'three');

  const forked = await client.request('thread/fork', { threadId: thread.id });
  assert.equal(forked.copiedTurns, 2, 'only the compaction and what follows are visible');
  const { turns = [] } = await client.request('thread/get', { threadId: forked.thread.id, includeTurns: true });
  assert.deepStrictEqual(turns.map((x) => x.kind), ['compaction', 'prompt']);
  const summary = (await client.request('turn/get', { turnId: turns[0]!.id })).items;
  assert.deepStrictEqual(summary.map((i) => [i.kind, i.detail]), [['context_compaction', 'compacted 4 messages']]);
  const next = await turn(client, events, forked.thread.id, 'four');
  assert.equal(await reply(client, next.id), 'echo[2]: four');
  assert.equal((await compaction(client, events, forked.thread.id)).items[0]!.detail, 'compacted 4 messages');
});

const COMPACTING_HOST = fileURLToPath(new URL('../fixtures/hosts/compacting-host.mjs', import.meta.url));

test('a host whose compaction reports another kind, no completed summary, or throws fails that compaction naming the host; nothing changes', async (t) => {
  const { client, events } = await startServer(t, { args: ['--host', COMPACTING_HOST] });
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  const cases = [
    ['wrong-kind', / host: a compaction reported an item of kind "agent_message" \(only context_compaction and reasoning\)$/],
    ['nothing', / host: the compaction ended without a context_compaction item$/],
    ['failed-item', / host: the compaction ended without a context_compaction item$/],
  ] as const;
  for (const [instructions, error] of cases) {
    const { ended } = await compaction(client, events, thread.id, instructions);
    assert.equal(ended.status, 'failed', instructions);
    assert.match(ended.error!, error);
    assert.ok(ended.error!.startsWith(COMPACTING_HOST), ended.error);
  }
  await assert.rejects(
    client.request('thread/compact', { threadId: thread.id, instructions: 'throws' }),
    (err) => err instanceof HostError && err.message === `${COMPACTING_HOST} host failed to start the turn: compact blew up`,
  );
  // The engine still sees the first turn's two items (a faulty engine is reloaded from the same history).
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'two')).id), 'loaded 2');
  await compaction(client, events, thread.id);
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'three')).id), 'loaded 1', 'a completed compaction: reloaded from the summary');
});

test('a host that declares supportsCompaction but whose engine has no compact fails the compaction with -32020', async (t) => {
  const { client, events } = await startServer(t, { args: ['--host', COMPACTING_HOST, '--host-option', 'fail=no-compact'] });
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  await assert.rejects(
    client.request('thread/compact', { threadId: thread.id }),
    (err) => err instanceof HostError && /failed to start the turn: the engine has no compact method/.test(err.message),
  );
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'two')).id), 'loaded 2');
});

test('a steer during a compaction is queued and runs after it; editLastTurn right after a compaction is -32011', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await turn(client, events, thread.id, 'one');
  const slow = await client.request('thread/compact', { threadId: thread.id, instructions: '!sleep 300' });
  const steered = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'two', delivery: 'steer' });
  assert.equal(steered.turn.id, slow.turn.id);
  assert.ok(steered.queued, 'the steer is queued, not added to the compaction');
  const promoted = await events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === steered.queued!.id });
  await events.turnCompleted(promoted.payload.turnId);
  assert.equal(await reply(client, promoted.payload.turnId), 'echo[1]: two');
  assert.deepStrictEqual((await client.request('turn/get', { turnId: slow.turn.id })).items.map((i) => i.kind), ['context_compaction']);

  await compaction(client, events, thread.id);
  await assert.rejects(client.request('thread/editLastTurn', { threadId: thread.id, content: 'edited' }), (err) => err instanceof NothingToEditError && err.code === -32011);
  assert.equal(await reply(client, (await turn(client, events, thread.id, 'three')).id), 'echo[1]: three');
});

test('a steer during a compaction is queued even when the engine would take it', async (t) => {
  const { client, events } = await startServer(t, { args: ['--host', COMPACTING_HOST] });
  const thread = await newThread(client);
  const hanging = await client.request('thread/compact', { threadId: thread.id, instructions: 'hang' });
  await events.waitFor({ kind: 'item.started', turnId: hanging.turn.id });
  const steered = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'two', delivery: 'steer' });
  assert.ok(steered.queued, 'queued, not steered into the compaction');
  await client.request('thread/interrupt', { threadId: thread.id, turnId: hanging.turn.id, keepQueued: true });
  assert.deepStrictEqual((await client.request('turn/get', { turnId: hanging.turn.id })).items.map((i) => i.kind), ['context_compaction']);
});
