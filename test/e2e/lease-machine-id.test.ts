import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError, ThreadLeasedError, type ThreadlineClient } from '@threadline/protocol';
import { newThread, startServer, type TestServer } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';

// Issue 16: servers on several machines share one database. A pid means something only on its
// own machine: an owner on another machine (another --machine-id) is dead only once its lease
// has expired, by the database's clock. These run on the suite's backend (THREADLINE_TEST_DB);
// on one host, two machine ids stand for two machines.

/** What `p` rejected with (undefined when it fulfilled). */
async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return await p.then(() => undefined, (e: unknown) => e);
}

function asLeased(error: unknown): ThreadLeasedError {
  assert.ok(error instanceof ThreadLeasedError, `expected -32040 ThreadLeased, got ${String(error)}`);
  return error;
}

async function leaseError(p: Promise<unknown>): Promise<ThreadLeasedError> {
  return asLeased(await rejectionOf(p));
}

/** Waits until the lease the error names has expired (a computed wait, plus a margin). */
async function untilExpired(error: ThreadLeasedError): Promise<void> {
  const ms = Date.parse(error.data.leaseExpiresAt as string) - Date.now() + 100;
  await sleep(Math.max(0, ms));
}

/**
 * SIGSTOPs `owner` at a moment it holds no write lock, and returns the -32040 `other` then gets
 * for the thread. A process frozen inside a transaction (its turn commits a burst of words every
 * few ms) holds SQLite's write lock, or the thread's row lock on Postgres, and every other writer
 * fails retryably once its wait is over: that is not the takeover under test, so the owner runs
 * on and is frozen again.
 */
async function freezeOwner(owner: TestServer, other: TestServer, threadId: string): Promise<ThreadLeasedError> {
  for (let attempt = 1; ; attempt++) {
    owner.spawned.process.kill('SIGSTOP');
    const error = await rejectionOf(other.client.request('thread/drain', { threadId }));
    if (attempt < 5 && error instanceof StorageError && error.data.retryable === true) {
      owner.spawned.process.kill('SIGCONT');
      await sleep(10 * attempt);
      continue;
    }
    return asLeased(error);
  }
}

async function start(client: ThreadlineClient, prompt: string) {
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt });
  return { threadId: thread.id, turnId: turn.id };
}

test('an owner on another machine killed -9 keeps its turn until its lease expires; then the other machine takes it over', async (t) => {
  const owner = await startServer(t, { args: ['--machine-id', 'machine-a', '--lease-ttl', '2'] });
  const { threadId, turnId } = await start(owner.client, '!hang');
  await owner.kill();
  const other = await startServer(t, { dbPath: owner.dbPath, args: ['--machine-id', 'machine-b', '--lease-ttl', '2'] });
  // Same host, and its pid is gone: on one machine that is dead at once. Not across machines.
  const leased = await leaseError(other.client.request('thread/drain', { threadId }));
  assert.equal(leased.data.ownerPid, owner.spawned.process.pid);
  const { turn: still } = await other.client.request('turn/get', { turnId });
  assert.equal(still.status, 'in_progress');
  await untilExpired(leased);
  const drained = await other.client.request('thread/drain', { threadId });
  assert.equal(drained.remaining, 0);
  const { turn } = await other.client.request('turn/get', { turnId });
  assert.deepStrictEqual([turn.status, turn.error], ['interrupted', 'server restarted']);
});

test('on the same machine id, an owner killed -9 is dead at once (its pid is judged)', async (t) => {
  const owner = await startServer(t, { args: ['--machine-id', 'machine-a', '--lease-ttl', '60'] });
  const { threadId, turnId } = await start(owner.client, '!hang');
  await owner.kill();
  const other = await startServer(t, { dbPath: owner.dbPath, args: ['--machine-id', 'machine-a'] });
  const drained = await other.client.request('thread/drain', { threadId });
  assert.equal(drained.remaining, 0);
  assert.equal((await other.client.request('turn/get', { turnId })).turn.status, 'interrupted');
});

test('a frozen (SIGSTOP) owner on another machine is taken over once its lease expires, and after SIGCONT writes nothing more for that turn', async (t) => {
  const owner = await startServer(t, { args: ['--machine-id', 'machine-a', '--lease-ttl', '2'], allowErrorLogs: true });
  const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
  const { threadId, turnId } = await start(owner.client, `!word-delay 50\n${words}`);
  await owner.events.waitFor({ kind: 'item.delta', turnId });
  // A short wait for SQLite's lock: a freeze inside a transaction is retried (freezeOwner).
  const other = await startServer(t, {
    dbPath: owner.dbPath,
    args: ['--machine-id', 'machine-b', '--lease-ttl', '2'],
    env: { ...process.env, THREADLINE_TEST_BUSY_TIMEOUT_MS: '1000' },
  });
  t.after(() => void owner.spawned.process.kill('SIGCONT'));
  await untilExpired(await freezeOwner(owner, other, threadId));
  const drained = await other.client.request('thread/drain', { threadId });
  assert.equal(drained.remaining, 0);
  const { turn } = await other.client.request('turn/get', { turnId });
  assert.equal(turn.status, 'interrupted');
  const { events: before } = await other.client.request('thread/events', { threadId, afterSeq: 0, limit: 10_000 });
  const lastSeq = before.at(-1)!.seq;

  owner.spawned.process.kill('SIGCONT');
  // Proving an absence: give the resumed owner several word delays and two heartbeats (ttl/3) to
  // try, then look. Its server must still answer (it lives on, it only lost the thread).
  await sleep(2_000);
  await owner.client.request('thread/list', {});
  const { events: after } = await other.client.request('thread/events', { threadId, afterSeq: lastSeq, limit: 10_000 });
  assert.deepStrictEqual(after.filter((e) => e.turnId === turnId).map((e) => e.kind), [], 'the old owner wrote for the turn after the takeover');
  const { turn: final } = await other.client.request('turn/get', { turnId });
  assert.equal(final.status, 'interrupted');
  // The thread is the other machine's now: a new turn runs there.
  const { turn: next } = await other.client.request('thread/startTurn', { threadId, prompt: 'mine now' });
  assert.equal((await other.client.request('turn/wait', { turnId: next.id, timeoutMs: 30_000 })).turn.status, 'completed');
});

test('--machine-id takes 1 to 128 letters, digits, ".", ":", "_" or "-"; anything else exits 2 with one line', async () => {
  for (const bad of ['', 'has space', 'x'.repeat(129), 'semi;colon']) {
    const { code, stderr } = await runCli(['serve', '--db', ':memory:', '--machine-id', bad]);
    assert.equal(code, 2, `--machine-id ${JSON.stringify(bad)}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});
