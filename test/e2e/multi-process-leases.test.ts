import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadBusyError, ThreadLeasedError, type ThreadlineClient } from '@threadline/protocol';
import { newThread, startServer, waitForStderr, type TestServer } from '../helpers/server.js';

// Issue 5 §1: several server processes on one database file. A thread's running turn is leased
// to the process that runs it; the others get -32040 for what needs the lease.

const leasedBy = (owner: TestServer, threadId: string) => (error: unknown) => {
  assert.ok(error instanceof ThreadLeasedError, String(error));
  assert.deepStrictEqual(Object.keys(error.data).sort(), ['kind', 'leaseExpiresAt', 'ownerPid', 'threadId']);
  assert.deepStrictEqual([error.code, error.data.kind, error.data.threadId, error.data.ownerPid], [-32040, 'thread_leased', threadId, owner.spawned.process.pid]);
  assert.ok(Date.parse(error.data.leaseExpiresAt as string) > Date.now() - 1000, `leaseExpiresAt ${error.data.leaseExpiresAt}`);
  return true;
};

async function hangingTurn(client: ThreadlineClient) {
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'first\n!sleep 5' });
  await client.request('turn/wait', { turnId: turn.id });
  const { turn: hanging } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  return { thread, turn: hanging };
}

test('editLastTurn, drain, interrupt and a steer from another process answer -32040 ThreadLeased with threadId, ownerPid and leaseExpiresAt; startTurn without delivery answers -32010', async (t) => {
  const owner = await startServer(t);
  const other = await startServer(t, { dbPath: owner.dbPath });
  const { thread, turn } = await hangingTurn(owner.client);
  const threadId = thread.id;
  await assert.rejects(other.client.request('thread/editLastTurn', { threadId, content: 'edited' }), leasedBy(owner, threadId));
  await assert.rejects(other.client.request('thread/drain', { threadId }), leasedBy(owner, threadId));
  await assert.rejects(other.client.request('thread/interrupt', { threadId }), leasedBy(owner, threadId));
  await assert.rejects(other.client.request('thread/interrupt', { threadId, turnId: turn.id, keepQueued: true }), leasedBy(owner, threadId));
  await assert.rejects(other.client.request('thread/startTurn', { threadId, prompt: 'steer', delivery: 'steer' }), leasedBy(owner, threadId));
  await assert.rejects(other.client.request('thread/startTurn', { threadId, prompt: 'now' }), (e) => e instanceof ThreadBusyError);
  const after = await other.client.request('thread/get', { threadId, includeTurns: true });
  assert.deepStrictEqual([after.thread.status, after.queued, after.turns!.at(-1)!.status], ['running', [], 'in_progress']);
  // The owner itself still acts on its turn.
  const { turn: stopped } = await owner.client.request('thread/interrupt', { threadId });
  assert.equal(stopped!.status, 'interrupted');
});

test('thread/startTurn with delivery "queue" from another process is admitted, and the owner promotes it when its turn ends', async (t) => {
  const owner = await startServer(t);
  const other = await startServer(t, { dbPath: owner.dbPath });
  const thread = await newThread(owner.client);
  const { turn: running } = await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: '!sleep 300\nfirst' });
  const { turn, queued } = await other.client.request('thread/startTurn', { threadId: thread.id, prompt: 'second', delivery: 'queue' });
  assert.equal(turn.id, running.id);
  assert.equal(queued!.state, 'pending');
  const promoted = await owner.events.waitFor({ kind: 'prompt.promoted', where: (e) => e.payload.admission.id === queued!.id });
  // turn/wait in the non-owner notices the owner's commits.
  const { turn: ended } = await other.client.request('turn/wait', { turnId: promoted.payload.turnId, timeoutMs: 10_000 });
  assert.equal(ended.status, 'completed');
  const { items } = await other.client.request('turn/get', { turnId: ended.id });
  assert.equal(items.at(-1)!.detail, 'echo[2]: second');
});

test('start-up recovery in a second process leaves the running turn of a live process alone', async (t) => {
  const owner = await startServer(t);
  const { thread, turn } = await hangingTurn(owner.client);
  const late = await startServer(t, { dbPath: owner.dbPath });
  const { turn: seen } = await late.client.request('turn/get', { turnId: turn.id });
  assert.equal(seen.status, 'in_progress');
  assert.equal((await late.client.request('thread/get', { threadId: thread.id })).thread.status, 'running');
  await assert.rejects(late.client.request('thread/drain', { threadId: thread.id }), leasedBy(owner, thread.id));
  const { turn: stopped } = await owner.client.request('thread/interrupt', { threadId: thread.id });
  assert.deepStrictEqual([stopped!.status, stopped!.error], ['interrupted', undefined]);
});

/** Waits until the lease the error names has expired (a computed wait, not a guess). */
async function untilExpired(error: ThreadLeasedError): Promise<void> {
  const ms = Date.parse(error.data.leaseExpiresAt as string) - Date.now() + 50;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function leaseError(p: Promise<unknown>): Promise<ThreadLeasedError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ThreadLeasedError, `expected -32040, got ${String(error)}`);
  return error;
}

test('a frozen owner (SIGSTOP) keeps its lease until it expires; then thread/drain in another process recovers its turn and promotes the oldest pending prompt', async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '2'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const { thread, turn } = await hangingTurn(owner.client);
  const { queued } = await other.client.request('thread/startTurn', { threadId: thread.id, prompt: 'next', delivery: 'queue' });
  owner.spawned.process.kill('SIGSTOP');
  t.after(() => owner.spawned.process.kill('SIGKILL'));
  await untilExpired(await leaseError(other.client.request('thread/drain', { threadId: thread.id })));
  const drained = await other.client.request('thread/drain', { threadId: thread.id });
  assert.equal(drained.remaining, 0);
  const { turn: old } = await other.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([old.status, old.error], ['interrupted', 'server restarted']);
  const promoted = await other.events.waitFor({ kind: 'prompt.promoted', turnId: drained.turn!.id });
  assert.equal(promoted.payload.admission.id, queued!.id);
  const { turn: done } = await other.client.request('turn/wait', { turnId: drained.turn!.id });
  assert.equal(done.status, 'completed');
  const { events, lastSeq } = await other.client.request('thread/events', { threadId: thread.id, limit: 10_000 });
  assert.deepStrictEqual(events.map((e) => e.seq), Array.from({ length: lastSeq }, (_, i) => i + 1));
});

test('a frozen owner\'s expired lease: thread/startTurn in another process recovers the dead turn and starts the new one in the same call', async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '2'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const { thread, turn } = await hangingTurn(owner.client);
  owner.spawned.process.kill('SIGSTOP');
  t.after(() => owner.spawned.process.kill('SIGKILL'));
  await untilExpired(await leaseError(other.client.request('thread/interrupt', { threadId: thread.id })));
  const { turn: started, queued } = await other.client.request('thread/startTurn', { threadId: thread.id, prompt: 'taken over' });
  assert.equal(queued, null);
  const completed = await other.events.waitFor({ kind: 'turn.completed', turnId: turn.id });
  assert.deepStrictEqual([completed.payload.turn.status, completed.payload.turn.error], ['interrupted', 'server restarted']);
  const { turn: done } = await other.client.request('turn/wait', { turnId: started.id });
  assert.equal(done.status, 'completed');
});

test('kill -9 of the owner on this host: another process takes the thread over at once, without waiting for the lease', async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '60'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const { thread, turn } = await hangingTurn(owner.client);
  await owner.kill();
  const begun = Date.now();
  const { turn: started } = await other.client.request('thread/startTurn', { threadId: thread.id, prompt: 'after the kill' });
  assert.ok(Date.now() - begun < 5000);
  const { turn: old } = await other.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([old.status, old.error], ['interrupted', 'server restarted']);
  assert.equal((await other.client.request('turn/wait', { turnId: started.id })).turn.status, 'completed');
});

test('kill -9 of the owner on this host: thread/drain in another process recovers the turn at once', async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '60'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const { thread, turn } = await hangingTurn(owner.client);
  await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: 'queued', delivery: 'queue' });
  await owner.kill();
  const drained = await other.client.request('thread/drain', { threadId: thread.id });
  assert.ok(drained.turn);
  assert.equal((await other.client.request('turn/get', { turnId: turn.id })).turn.error, 'server restarted');
});

test('an owner that was frozen past its lease and resumes after another process took the thread over writes nothing more for its old turn', async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '2'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const thread = await newThread(owner.client);
  const { turn } = await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 20\n!repeat 400\nstill streaming' });
  await owner.events.waitFor({ kind: 'item.delta', turnId: turn.id });
  owner.spawned.process.kill('SIGSTOP');
  await untilExpired(await leaseError(other.client.request('thread/drain', { threadId: thread.id })));
  const { turn: next } = await other.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  const { lastSeq: takenAt } = await other.client.request('thread/events', { threadId: thread.id, limit: 1 });
  owner.spawned.process.kill('SIGCONT');
  await waitForStderr(owner, /another process took this turn over/);
  const { events } = await other.client.request('thread/events', { threadId: thread.id, afterSeq: takenAt, limit: 10_000 });
  assert.deepStrictEqual(events.filter((e) => e.turnId === turn.id), [], 'nothing of the old turn after the takeover');
  const { turn: old } = await other.client.request('turn/get', { turnId: turn.id });
  assert.deepStrictEqual([old.status, old.error], ['interrupted', 'server restarted']);
  assert.equal((await owner.client.request('thread/get', { threadId: thread.id })).thread.latestTurnId, next.id);
  await assert.rejects(owner.client.request('thread/interrupt', { threadId: thread.id }), leasedBy(other, thread.id));
});
