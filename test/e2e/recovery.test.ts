import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Admission } from '@threadline/protocol';
import { newThread, startServer } from '../helpers/server.js';

test('kill -9 while streaming and with prompts queued: a restart keeps every admission, interrupts the turn, seq goes on, drain resumes', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  const { turn } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 20\n!repeat 50\nstreaming words' });
  const queued: Admission[] = [];
  for (const prompt of ['A', 'B', 'C']) {
    queued.push((await first.client.request('thread/startTurn', { threadId: thread.id, prompt, delivery: 'queue' })).queued!);
  }
  await first.events.waitFor({ kind: 'item.delta', turnId: turn.id, where: (e) => e.payload.text.includes('streaming') });
  await first.kill();
  const received = first.events.of(thread.id);

  const second = await startServer(t, { dbPath: first.dbPath });
  const after = await second.client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.deepStrictEqual(after.queued, queued, 'every acknowledged admission is still pending');
  assert.equal(after.thread.status, 'idle');
  const crashed = after.turns![0]!;
  assert.deepStrictEqual([crashed.status, crashed.error], ['interrupted', 'server restarted']);

  const { events: log, lastSeq } = await second.client.request('thread/events', { threadId: thread.id, limit: 10000 });
  assert.deepStrictEqual(log.map((e) => e.seq), Array.from({ length: lastSeq }, (_, i) => i + 1));
  assert.equal(JSON.stringify(log.slice(0, received.length)), JSON.stringify(received), 'what the client saw is a prefix of the log');
  assert.equal(log.at(-1)!.kind, 'turn.completed');
  const reply = (await second.client.request('turn/get', { turnId: crashed.id })).items[1]!;
  const streamed = log.filter((e) => e.kind === 'item.delta').map((e) => (e.payload as { text: string }).text).join('');
  assert.deepStrictEqual([reply.detail, reply.metadata], [streamed, { interrupted: true }]);

  const drained = await second.client.request('thread/drain', { threadId: thread.id });
  assert.equal(drained.remaining, 2);
  const promoted = await second.events.waitFor({ kind: 'prompt.promoted', turnId: drained.turn!.id });
  assert.equal(promoted.payload.admission.id, queued[0]!.id);
  assert.equal(promoted.seq, lastSeq + 1, 'seq continues without a gap');
  // The rest of the queue follows on its own, FIFO, and the reloaded engine knows the history.
  const last = await second.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === queued[2]!.id });
  await second.events.turnCompleted(last.payload.turnId);
  assert.equal((await second.client.request('turn/get', { turnId: last.payload.turnId })).items.at(-1)!.detail, 'echo[4]: C');
});

test('after a restart, thread/startTurn on an idle thread with pending prompts queues the new one and promotes the oldest', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const { queued: old } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: 'old', delivery: 'queue' });
  await first.kill();

  const second = await startServer(t, { dbPath: first.dbPath });
  const result = await second.client.request('thread/startTurn', { threadId: thread.id, prompt: 'new' });
  assert.equal(result.queued!.prompt, 'new');
  assert.equal(result.queued!.state, 'pending');
  const promoted = await second.events.waitFor({ kind: 'prompt.promoted', turnId: result.turn.id });
  assert.equal(promoted.payload.admission.id, old!.id);
});

test('closing stdin mid-turn marks the running turn interrupted with "server shutting down"', async (t) => {
  const first = await startServer(t);
  const thread = await newThread(first.client);
  const { turn } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  first.spawned.process.stdin!.end();
  assert.equal((await first.spawned.exited).code, 0);
  const second = await startServer(t, { dbPath: first.dbPath });
  const { turn: after } = await second.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([after.status, after.error], ['interrupted', 'server shutting down']);
});
