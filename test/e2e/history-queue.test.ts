import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionNotFoundError, InvalidParamsError } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('thread/updateQueued replaces a pending prompt in place; thread/reorderQueued sets the order promotion follows', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const running = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const queue = async (prompt: string) => (await client.request('thread/startTurn', { threadId: thread.id, prompt, delivery: 'queue' })).queued!;
  const a = await queue('a');
  const b = await queue('b');
  const c = await queue('c');

  const updated = await client.request('thread/updateQueued', { threadId: thread.id, admissionId: b.id, prompt: ' bee ' });
  assert.deepStrictEqual([updated.admission.id, updated.admission.prompt, updated.admission.state], [b.id, 'bee', 'pending']);
  assert.equal((await events.waitFor({ kind: 'prompt.updated' })).payload.admission.prompt, 'bee');

  const reordered = await client.request('thread/reorderQueued', { threadId: thread.id, admissionIds: [c.id, a.id, b.id] });
  assert.deepStrictEqual(reordered.queued.map((x) => x.id), [c.id, a.id, b.id]);
  assert.deepStrictEqual((await events.waitFor({ kind: 'queue.reordered' })).payload, { admissionIds: [c.id, a.id, b.id] });
  assert.deepStrictEqual((await client.request('thread/get', { threadId: thread.id })).queued.map((x) => x.id), [c.id, a.id, b.id]);

  // Interrupt keeping the queue, then drain: the turns run c, a, bee.
  await client.request('thread/interrupt', { threadId: thread.id, turnId: running.turn.id, keepQueued: true });
  const prompts: string[] = [(await client.request('thread/drain', { threadId: thread.id })).turn!.id];
  await events.turnCompleted(prompts[0]!);
  for (let i = 1; i < 3; i++) {
    const started = await events.waitFor({ kind: 'turn.started', threadId: thread.id, where: (e) => !prompts.includes(e.payload.turn.id) && e.payload.turn.id !== running.turn.id });
    prompts.push(started.payload.turn.id);
    await events.turnCompleted(started.payload.turn.id);
  }
  const texts = [];
  for (const id of prompts) texts.push((await client.request('turn/get', { turnId: id })).items[0]!.detail);
  assert.deepStrictEqual(texts, ['c', 'a', 'bee']);
});

test('queue edits refuse what is not a pending admission of the thread, naming it, and change nothing', async (t) => {
  const { client } = await startServer(t);
  const thread = await newThread(client);
  await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const a = (await client.request('thread/startTurn', { threadId: thread.id, prompt: 'a', delivery: 'queue' })).queued!;
  const b = (await client.request('thread/startTurn', { threadId: thread.id, prompt: 'b', delivery: 'queue' })).queued!;
  const before = await client.request('thread/get', { threadId: thread.id });

  await assert.rejects(client.request('thread/updateQueued', { threadId: thread.id, admissionId: 'inp_nope', prompt: 'x' }), (err) => err instanceof AdmissionNotFoundError);
  await assert.rejects(client.request('thread/updateQueued', { threadId: thread.id, admissionId: a.id, prompt: '  ' }), (err) => err instanceof InvalidParamsError);
  const refused = async (admissionIds: string[], pattern: RegExp) =>
    assert.rejects(client.request('thread/reorderQueued', { threadId: thread.id, admissionIds }), (err) => err instanceof InvalidParamsError && pattern.test(err.message));
  await refused([a.id], new RegExp(`missing the pending admission ${b.id}`));
  await refused([a.id, a.id, b.id], /admissionIds\[1\] .* is given twice/);
  await refused([a.id, b.id, 'inp_x'], /admissionIds\[2\] inp_x is not a pending admission/);
  await client.request('thread/cancelQueued', { threadId: thread.id, admissionId: a.id });
  await assert.rejects(
    client.request('thread/updateQueued', { threadId: thread.id, admissionId: a.id, prompt: 'x' }),
    (err) => err instanceof AdmissionNotFoundError && /no longer pending \(cancelled\)/.test(err.message),
  );
  const after = await client.request('thread/get', { threadId: thread.id });
  assert.deepStrictEqual(after.queued, before.queued.filter((x) => x.id !== a.id));
});

test('a reordered queue is promoted in its new order after a restart', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const a = (await first.client.request('thread/startTurn', { threadId: thread.id, prompt: 'a', delivery: 'queue' })).queued!;
  const b = (await first.client.request('thread/startTurn', { threadId: thread.id, prompt: 'b', delivery: 'queue' })).queued!;
  await first.client.request('thread/reorderQueued', { threadId: thread.id, admissionIds: [b.id, a.id] });
  await first.kill();
  const second = await startServer(t, { dbPath: first.dbPath });
  const drained = await second.client.request('thread/drain', { threadId: thread.id });
  assert.equal((await second.client.request('turn/get', { turnId: drained.turn!.id })).items[0]!.detail, 'b');
});
