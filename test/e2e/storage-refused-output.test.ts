import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ThreadlineClient } from '@threadline/protocol';
import { newThread, startServer, waitForStderr, type TestServer } from '../helpers/server.js';
import { onPostgres, testDb } from '../helpers/test-db.js';

// PROTOCOL contract (issue text): a turn streaming when the database fails is either fully
// recorded or ended failed/interrupted — never stuck in_progress while its owner lives. A write
// the database refuses for good (a constraint, a trigger raising, a value it cannot store) must
// not be retried forever: the turn ends failed, saying so, and the thread goes on. The refusal
// is a trigger on the events table, made the way each backend raises: SQLite RAISE(ABORT)
// (SQLITE_CONSTRAINT_TRIGGER), Postgres RAISE EXCEPTION (P0001).

const REFUSAL = /storage error: the database refused the turn's output for good \((SQLITE_CONSTRAINT_TRIGGER|P0001): poison refused\); \d+ pending writes? (was|were) dropped/;

/** Runs `sql` on the server's database, from outside it (the way an operator would). */
async function onDatabase(server: TestServer, sql: { sqlite: string; postgres: string }): Promise<void> {
  if (onPostgres) {
    const client = new pg.Client({ connectionString: await testDb(server.dbPath) });
    await client.connect();
    try {
      await client.query(sql.postgres);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(server.dbPath);
  try {
    db.exec(sql.sqlite);
  } finally {
    db.close();
  }
}

/**
 * Makes the server's database refuse, for good, every event of these kinds whose payload holds
 * `poison` (never a prompt's own events: those are no deltas). On Postgres each refusal also
 * counts itself in a sequence (a sequence's increments survive the rollback).
 */
async function refusePoison(server: TestServer, kinds = ['item.delta']): Promise<void> {
  const among = kinds.map((kind) => `'${kind}'`).join(', ');
  await onDatabase(server, {
    sqlite: `CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.kind IN (${among}) AND NEW.payload LIKE '%poison%'
             BEGIN SELECT RAISE(ABORT, 'poison refused'); END`,
    postgres: `CREATE SEQUENCE refusals;
               CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('refusals'); RAISE EXCEPTION 'poison refused'; END $$;
               CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.kind IN (${among}) AND NEW.payload LIKE '%poison%') EXECUTE FUNCTION refuse_poison()`,
  });
}

/** How many writes the trigger refused so far (Postgres only). */
async function refusals(server: TestServer): Promise<number> {
  const client = new pg.Client({ connectionString: await testDb(server.dbPath) });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM refusals');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

async function refusingServer(t: TestContext): Promise<TestServer> {
  const server = await startServer(t);
  await refusePoison(server);
  return server;
}

/** Nothing of the thread is left running: every turn and item ended, the thread idle. */
async function assertNothingRunning(client: ThreadlineClient, threadId: string): Promise<void> {
  const { thread, turns } = await client.request('thread/get', { threadId, includeTurns: true });
  assert.equal(thread.status, 'idle');
  assert.deepStrictEqual(turns!.filter((turn) => turn.status === 'in_progress'), []);
  for (const turn of turns!) {
    const { items } = await client.request('turn/get', { turnId: turn.id });
    assert.deepStrictEqual(items.filter((item) => item.status === 'in_progress'), [], `open items of ${turn.id}`);
  }
}

/** The text of the item's `item.delta` events in the log, concatenated. */
async function loggedDeltas(client: ThreadlineClient, threadId: string, itemId: string): Promise<string> {
  const { events } = await client.request('thread/events', { threadId, limit: 10000 });
  return events.filter((e) => e.kind === 'item.delta' && e.itemId === itemId).map((e) => (e.payload as { text: string }).text).join('');
}

test('a reply the database refuses for good mid-stream ends the turn failed, saying so; what was stored stays, and the thread goes on', async (t) => {
  const server = await refusingServer(t);
  const { client } = server;
  const thread = await newThread(client);
  // Word by word: the first words are committed in flushes of their own before the refused one.
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!word-delay 25\none two three four five six poison seven eight' });

  const { turn: ended } = await client.request('turn/wait', { turnId: turn.id, timeoutMs: 10_000 });
  assert.equal(ended.status, 'failed');
  assert.match(ended.error ?? '', REFUSAL);
  assert.equal((await client.request('turn/get', { turnId: turn.id })).turn.status, 'failed');
  await waitForStderr(server, /refused a turn's output for good: dropping it and ending the turn/);
  assert.equal(server.stderr.filter((line) => line.includes(' WARN ') && line.includes(turn.id)).length, 1, 'one warning for the refusal');

  // The reply keeps the words stored before the refusal: its detail is its logged deltas, never the refused text.
  const reply = (await client.request('turn/get', { turnId: turn.id })).items.find((item) => item.kind === 'agent_message')!;
  assert.equal(reply.status, 'failed');
  assert.equal(reply.detail ?? '', await loggedDeltas(client, thread.id, reply.id));
  assert.match(reply.detail ?? '', /^echo\[1\]: one/);
  assert.doesNotMatch(reply.detail ?? '', /poison/);
  const { events } = await client.request('thread/events', { threadId: thread.id, limit: 10000 });
  assert.equal(events.filter((e) => e.turnId === turn.id).at(-1)!.kind, 'turn.completed');

  // The thread goes on: the next turn, without the poison, completes.
  await assertNothingRunning(client, thread.id);
  const { turn: next } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'all clean' });
  const { turn: done } = await client.request('turn/wait', { turnId: next.id, timeoutMs: 10_000 });
  assert.equal(done.status, 'completed');
  const answer = (await client.request('turn/get', { turnId: next.id })).items.find((item) => item.kind === 'agent_message')!;
  assert.match(answer.detail ?? '', /all clean$/);
  await assertNothingRunning(client, thread.id);
});

test('a reply refused for good as the turn ends (one burst) ends it failed, and the prompt queued behind it runs', async (t) => {
  const server = await refusingServer(t);
  const { client } = server;
  const thread = await newThread(client);
  // The whole reply comes in one burst, after a pause that lets a prompt queue behind it.
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!sleep 300\npoison in one go' });
  const { queued } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'after it', delivery: 'queue' });
  assert.ok(queued, 'the second prompt waits behind the first turn');

  const { turn: ended } = await client.request('turn/wait', { turnId: turn.id, timeoutMs: 10_000 });
  assert.equal(ended.status, 'failed');
  assert.match(ended.error ?? '', REFUSAL);

  // Failed, not interrupted: the queue goes on, and the next turn completes.
  const promoted = await server.events.waitFor({ kind: 'prompt.promoted', threadId: thread.id, where: (e) => e.payload.admission.id === queued.id });
  const { turn: after } = await client.request('turn/wait', { turnId: promoted.payload.turnId, timeoutMs: 10_000 });
  assert.equal(after.status, 'completed');
  await assertNothingRunning(client, thread.id);
});

test('an end the database refuses for good even without the refused output is logged once and retried each minute, not each second; an interrupt ends it once the database takes it', async (t) => {
  const server = await startServer(t, { allowErrorLogs: true });
  const { client } = server;
  const thread = await newThread(client);
  // The reply's deltas are refused, and so is every end of a turn that names the poison (its input summary does).
  await refusePoison(server, ['item.delta', 'turn.completed']);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'poison again' });

  await waitForStderr(server, /ERROR the database refused the end of a turn for good: retrying every minute/);
  assert.equal((await client.request('turn/get', { turnId: turn.id })).turn.status, 'in_progress');
  // Absence of retries cannot be awaited: watch for 2.5 s, where one try a second would make 2 or 3 more.
  const before = onPostgres ? await refusals(server) : 0;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  if (onPostgres) assert.equal(await refusals(server), before, 'no retry within the minute');
  assert.equal(server.stderr.filter((line) => line.includes(' ERROR ')).length, 1, server.stderr.join('\n'));
  assert.equal(server.stderr.filter((line) => line.includes("refused a turn's output for good")).length, 1);

  // The operator removes the cause; the client's interrupt ends the turn (without the dropped output) and the thread goes on.
  await onDatabase(server, { sqlite: 'DROP TRIGGER refuse_poison', postgres: 'DROP TRIGGER refuse_poison ON events' });
  const { turn: interrupted } = await client.request('thread/interrupt', { threadId: thread.id });
  assert.equal(interrupted!.status, 'interrupted');
  const { events } = await client.request('thread/events', { threadId: thread.id, limit: 10000 });
  assert.deepStrictEqual(events.filter((e) => e.kind === 'item.delta' && e.turnId === turn.id), []);
  await assertNothingRunning(client, thread.id);
  const { turn: next } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'all clean' });
  assert.equal((await client.request('turn/wait', { turnId: next.id, timeoutMs: 10_000 })).turn.status, 'completed');
});
