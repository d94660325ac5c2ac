import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadEvent } from '@threadline/protocol';
import { followInspect } from '../helpers/inspect-follow.js';
import { runCli } from '../helpers/run-cli.js';
import { testDb } from '../helpers/test-db.js';
import { newThread, startServer } from '../helpers/server.js';

const ENV = { ...process.env, NO_COLOR: '' };

test('inspect: a table of threads, --json, one thread with its turns, items and queue, --events --after; bad usage exits 2', async (t) => {
  const server = await startServer(t);
  const a = await newThread(server.client, { title: 'first thread' });
  const b = await newThread(server.client, { title: 'second thread' });
  for (const prompt of ['one', 'two']) {
    const { turn } = await server.client.request('thread/startTurn', { threadId: a.id, prompt });
    await server.client.request('turn/wait', { turnId: turn!.id });
  }
  await server.spawned.close();
  const db = server.dbPath;

  const table = await runCli(['inspect', '--db', db], { env: ENV });
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout, /\x1b\[/, 'no colour into a pipe');
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+TITLE\s+STATUS\s+TURNS\s+QUEUED\s+UPDATED\s+PREVIEW$/);
  assert.match(table.stdout, new RegExp(`${a.id}\\s+first thread\\s+idle\\s+2\\s+0\\s+\\S+ \\S+\\s+echo\\[2\\]: two`));
  assert.match(table.stdout, new RegExp(`${b.id}\\s+second thread\\s+idle\\s+0\\s+0`));

  const json = await runCli(['inspect', '--db', db, '--json'], { env: ENV });
  const listed = JSON.parse(json.stdout) as { threads: { id: string; turns: number; preview?: string }[] };
  assert.deepEqual(listed.threads.map((th) => [th.id, th.turns]).sort(), [[a.id, 2], [b.id, 0]].sort());

  const detail = await runCli(['inspect', '--db', db, a.id], { env: ENV });
  assert.equal(detail.code, 0, detail.stderr);
  assert.match(detail.stdout, /› one\n\s+echo\[1\]: one\n[\s\S]*› two\n\s+echo\[2\]: two\n[\s\S]*queue \(0\)/);
  const detailJson = JSON.parse((await runCli(['inspect', '--db', db, a.id, '--json'])).stdout) as { turns: { items: { kind: string }[] }[]; queued: unknown[] };
  assert.deepEqual(detailJson.turns.map((turn) => turn.items.map((i) => i.kind)), [['user_message', 'agent_message'], ['user_message', 'agent_message']]);
  assert.deepEqual(detailJson.queued, []);

  const events = JSON.parse((await runCli(['inspect', '--db', db, a.id, '--events', '--after', '3', '--json'])).stdout) as { events: ThreadEvent[] };
  assert.equal(events.events[0]!.seq, 4);
  assert.equal(events.events.at(-1)!.kind, 'turn.completed');
  const text = await runCli(['inspect', '--db', db, a.id, '--events'], { env: ENV });
  assert.match(text.stdout, /^\s+1 \S+ thread\.created\s+first thread$/m);

  for (const [args, message] of [
    [['--bogus'], 'threadline inspect: unknown option --bogus (try: threadline inspect --help)'],
    [['--follow'], 'threadline inspect: --follow needs a THREAD_ID (try: threadline inspect --help)'],
    [[a.id, '--after', 'x'], 'threadline inspect: --after must be a sequence number (0, 1, 2…), got "x"'],
    [['thr_nope'], 'threadline inspect: no thread thr_nope in this database'],
  ] as const) {
    const run = await runCli(['inspect', '--db', db, ...args]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr, `${message}\n`);
  }
  const help = await runCli(['inspect', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^threadline inspect — /);
  // Read-only works on a postgres:// URL too (issue 16): the help says so, not "the file".
  assert.match(help.stdout, /--db PATH +the database: a SQLite file or a postgres:\/\/ URL/);
  assert.doesNotMatch(help.stdout, /The file is opened read-only/);
  const serveHelp = await runCli(['--help']);
  assert.match(serveHelp.stdout, /--read-only +serve only: open an existing database read-only, a file or a postgres:\/\/ URL/);
});

test('inspect --follow tails a turn another server process is running, holding no lock: that server keeps writing', async (t) => {
  const writer = await startServer(t);
  const thread = await newThread(writer.client, { title: 'busy' });
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });

  // The file, or on Postgres the writer's database URL (testDb maps the path as startServer did).
  const follow = followInspect(t, await testDb(writer.dbPath), thread.id, 8000);
  const { seen, waitFor } = follow;
  await waitFor(() => seen.some((e) => e.kind === 'turn.started'), 'turn.started');

  // A second inspect, the table, sees the turn running.
  const table = await runCli(['inspect', '--db', writer.dbPath]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, new RegExp(`${thread.id}\\s+busy\\s+running\\s+1\\s`));
  // While inspect follows, the writer writes at once (no lock held by the reader)...
  const began = performance.now();
  await writer.client.request('thread/update', { threadId: thread.id, title: 'renamed while inspected' });
  await writer.client.request('thread/interrupt', { threadId: thread.id });
  assert.ok(performance.now() - began < 3000, 'the writer was not blocked');
  // ...and inspect prints what it wrote: events committed after it started following.
  await waitFor(() => seen.some((e) => e.kind === 'turn.completed'), 'turn.completed');
  const completed = seen.find((e) => e.kind === 'turn.completed')!;
  assert.equal(completed.turnId, turn!.id);
  assert.ok(seen.some((e) => e.kind === 'thread.updated'), 'the rename is in the tail');
  assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => i + 1), 'every event once, in order, from seq 1');

  assert.equal(await follow.stop(), 0, follow.stderr);
});
