import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  HostError,
  InvalidParamsError,
  ThreadBusyError,
  ThreadNotFoundError,
  TurnMismatchError,
  type ThreadEvent,
} from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

const kinds = (events: ThreadEvent[]) => events.map((e) => e.kind);

test('thread/startTurn on an idle thread starts a turn that streams echo[1] and completes with usage', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn, queued } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '  hello world  ' });
  assert.equal(queued, null);
  assert.equal(turn.status, 'in_progress');
  assert.equal(turn.inputSummary, 'hello world');
  const done = await events.turnCompleted(turn.id);
  assert.equal(done.payload.turn.status, 'completed');
  assert.deepStrictEqual(done.payload.turn.usage, { inputTokens: 2, outputTokens: 3 });

  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(
    items.map((i) => [i.kind, i.status, i.detail]),
    [
      ['user_message', 'completed', 'hello world'],
      ['agent_message', 'completed', 'echo[1]: hello world'],
    ],
  );
  const turnEvents = events.of(thread.id).filter((e) => e.turnId === turn.id);
  assert.deepStrictEqual(kinds(turnEvents.slice(0, 4)), ['prompt.promoted', 'turn.started', 'item.started', 'item.completed']);
  assert.equal(turnEvents.at(-1)!.kind, 'turn.completed');
  const deltas = turnEvents.filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text);
  assert.equal(deltas.join(''), 'echo[1]: hello world');
});

test('the user message of a new turn emits prompt.promoted, turn.started, item.started, item.completed before the response', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const sent = events.of(thread.id).filter((e) => e.turnId === turn.id);
  assert.deepStrictEqual(kinds(sent), ['prompt.promoted', 'turn.started', 'item.started', 'item.completed']);
  assert.deepStrictEqual(sent.map((e) => e.seq), [2, 3, 4, 5]);
});

test('an empty or blank prompt fails with -32602 "prompt is required" and admits nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  for (const prompt of ['', '   \n\t ']) {
    await assert.rejects(client.request('thread/startTurn', { threadId: thread.id, prompt }), (err) => {
      assert.ok(err instanceof InvalidParamsError);
      assert.equal(err.message, 'prompt is required');
      assert.deepStrictEqual(err.data.issues.map((i) => i.path), [['prompt']]);
      return true;
    });
  }
  await assert.rejects(client.request('thread/startTurn', { threadId: thread.id } as never), /prompt is required/);
  const after = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.deepStrictEqual([after.turns, after.queued, after.thread.lastSeq], [[], [], 1]);
});

test('a prompt over --max-prompt-bytes fails with -32602 naming the prompt', async (t) => {
  const { client } = await startServer(t, { args: ['--max-prompt-bytes', '10'] });
  const thread = await newThread(client);
  await assert.rejects(client.request('thread/startTurn', { threadId: thread.id, prompt: 'ééééé é' }), (err) => {
    assert.ok(err instanceof InvalidParamsError);
    assert.match(err.message, /prompt is 13 bytes, over the limit of 10 bytes/);
    assert.deepStrictEqual(err.data.issues[0]?.path, ['prompt']);
    return true;
  });
  await client.request('thread/startTurn', { threadId: thread.id, prompt: 'short' });
});

test('malformed params on a busy thread get -32602, not ThreadBusy: params are validated first', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  await assert.rejects(
    client.request('thread/startTurn', { threadId: thread.id, prompt: 'x', delivery: 'later' } as never),
    (err) => err instanceof InvalidParamsError && err.data.issues[0]?.path[0] === 'delivery',
  );
});

test('thread/startTurn on an unknown thread fails with ThreadNotFound naming it', async (t) => {
  const { client } = await startServer(t);
  await assert.rejects(
    client.request('thread/startTurn', { threadId: 'thr_nope', prompt: 'hi' }),
    (err) => err instanceof ThreadNotFoundError && err.code === -32001 && err.data.threadId === 'thr_nope',
  );
});

test('thread/startTurn on a busy thread without delivery fails with ThreadBusy and admits nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const before = await client.request('thread/get', { threadId: thread.id });
  await assert.rejects(
    client.request('thread/startTurn', { threadId: thread.id, prompt: 'second' }),
    (err) => err instanceof ThreadBusyError && err.message === 'Thread already has an active turn' && err.data.threadId === thread.id,
  );
  const after = await client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual(after, before);
  assert.equal(after.thread.latestTurnId, turn.id);
});

test('queued prompts run FIFO one after another automatically as each turn ends', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { client, events } = await startServer(t, { initialize: { capabilities: { approvals: true } } });
  client.onApprovalRequest(async () => {
    await gate;
    return { decision: 'approve' };
  });
  const thread = await newThread(client);
  const first = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool shell ls\nfirst' });
  const a = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'A', delivery: 'queue' });
  const b = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'B', delivery: 'queue' });
  assert.equal(a.turn.id, first.turn.id);
  assert.deepStrictEqual([a.queued!.state, b.queued!.state], ['pending', 'pending']);
  assert.ok(a.queued!.admittedSeq < b.queued!.admittedSeq);
  assert.equal((await client.request('thread/get', { threadId: thread.id })).thread.queuedCount, 2);
  release();

  const promotedB = await events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === b.queued!.id });
  await events.turnCompleted(promotedB.payload.turnId);
  const promoted = events.of(thread.id).filter((e) => e.kind === 'prompt.promoted');
  assert.deepStrictEqual(
    promoted.map((e) => (e.kind === 'prompt.promoted' ? e.payload.admission.prompt : '')),
    ['!tool shell ls\nfirst', 'A', 'B'],
  );
  const { turns } = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  const replies = await Promise.all(turns!.map(async (turn) => (await client.request('turn/get', { turnId: turn.id })).items.at(-1)!.detail));
  assert.deepStrictEqual(replies, ['echo[1]: first', 'echo[2]: A', 'echo[3]: B']);
});

test('a clientRequestId repeat returns the first result and admits nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const first = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'once', delivery: 'queue', clientRequestId: 'req-1' });
  const { lastSeq } = (await client.request('thread/get', { threadId: thread.id })).thread;
  const again = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'once', delivery: 'queue', clientRequestId: 'req-1' });
  assert.deepStrictEqual(again, first);
  const after = await client.request('thread/get', { threadId: thread.id });
  assert.equal(after.thread.lastSeq, lastSeq);
  assert.equal(after.queued.length, 1);
});

test('a steer joins the running turn as a user message and is answered in the same turn', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { client, events } = await startServer(t, { initialize: { capabilities: { approvals: true } } });
  client.onApprovalRequest(async () => (await gate, { decision: 'approve' }));
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!tool edit file\nfirst' });
  await events.waitFor({ kind: 'approval.requested', turnId: turn.id });
  const steered = await client.request('thread/startTurn', {
    threadId: thread.id,
    prompt: 'also this',
    delivery: 'steer',
    expectedTurnId: turn.id,
  });
  assert.equal(steered.queued, null);
  assert.equal(steered.turn.id, turn.id);
  assert.equal(steered.turn.steerCount, 1);
  release();
  const done = await events.turnCompleted(turn.id);
  assert.equal(done.payload.turn.status, 'completed');
  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual(
    items.map((i) => [i.kind, i.detail]),
    [
      ['user_message', '!tool edit file\nfirst'],
      ['tool_call', 'file'],
      ['user_message', 'also this'],
      ['tool_result', 'approved'],
      ['agent_message', 'echo[1]: first'],
      ['agent_message', 'echo[2]: also this'],
    ],
  );
});

test('a steer with an expectedTurnId that is not the running turn fails with TurnMismatch and admits nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const before = await client.request('thread/get', { threadId: thread.id });
  await assert.rejects(
    client.request('thread/startTurn', { threadId: thread.id, prompt: 'x', delivery: 'steer', expectedTurnId: 'turn_other' }),
    (err) => err instanceof TurnMismatchError && err.data.runningTurnId === turn.id,
  );
  assert.deepStrictEqual(await client.request('thread/get', { threadId: thread.id }), before);
});

test('a host that throws at start leaves a failed turn (-32020) and an idle thread that accepts the next prompt', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  await assert.rejects(
    client.request('thread/startTurn', { threadId: thread.id, prompt: '!fail-start no engine today' }),
    (err) => err instanceof HostError && err.code === -32020 && /no engine today/.test(err.message),
  );
  const { thread: after, turns } = await client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.equal(after.status, 'idle');
  assert.equal(turns![0]!.status, 'failed');
  assert.match(turns![0]!.error!, /echo host failed to start the turn: no engine today/);
  assert.equal((await events.turnCompleted(turns![0]!.id)).payload.turn.status, 'failed');
  const next = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'again' });
  assert.equal((await events.turnCompleted(next.turn.id)).payload.turn.status, 'completed');
});

test('a failure mid-turn ends the turn failed with the message, keeping the text streamed so far', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!fail disk on fire\nsome words here' });
  const done = await events.turnCompleted(turn.id);
  assert.equal(done.payload.turn.status, 'failed');
  assert.equal(done.payload.turn.error, 'disk on fire');
  const { items } = await client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([items[1]!.kind, items[1]!.status, items[1]!.detail], ['agent_message', 'failed', 'echo[1]:']);
  const next = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'ok' });
  assert.equal((await events.turnCompleted(next.turn.id)).payload.turn.status, 'completed');
});
