import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { postgresOfFile } from '../helpers/postgres.js';
import { BIN, newThread, startServer } from '../helpers/server.js';

// `serve --db postgres://…` through the spawned binary, as a fleet member runs it, on a server of
// this file's own (the rest of the e2e suite runs on Postgres with THREADLINE_TEST_DB=postgres).
const own = postgresOfFile();
const missing = own.missing;

test('serve on a postgres:// URL: a turn runs, survives kill -9 and a restart; the password is shown nowhere', { skip: missing }, async (t) => {
  const url = await own.server.createDatabase();
  const first = await startServer(t, { dbPath: url, allowErrorLogs: false });
  assert.equal(first.initializeResult?.dbPath.includes(own.server.password), false, 'initialize shows the password');
  assert.match(first.initializeResult!.dbPath, /^postgres(ql)?:\/\/threadline@127\.0\.0\.1:\d+\//);
  const thread = await newThread(first.client, { title: 'fleet' });
  const { turn } = await first.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello postgres' });
  const ended = await first.client.request('turn/wait', { turnId: turn.id, timeoutMs: 30_000 });
  assert.equal(ended.turn.status, 'completed');
  await first.kill();

  const second = await startServer(t, { dbPath: url });
  const { thread: again, turns } = await second.client.request('thread/get', { threadId: thread.id, includeTurns: true });
  assert.equal(again.title, 'fleet');
  assert.deepStrictEqual(turns?.map((x) => x.status), ['completed']);
  const { events } = await second.client.request('thread/events', { threadId: thread.id, afterSeq: 0, limit: 1000 });
  assert.deepStrictEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq gap-free across the restart');
  for (const line of [...first.stderr, ...second.stderr]) assert.equal(line.includes(own.server.password), false, `a log line shows the password: ${line}`);
});

test('serve on a postgres:// URL with a wrong password exits 2 with one line that does not repeat it', { skip: missing }, async () => {
  const url = new URL(await own.server.createDatabase());
  url.password = 'not-the-password-42';
  const run = spawnSync(process.execPath, [BIN, 'serve', '--db', url.toString()], { input: '', encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^threadline: cannot open database postgres/);
  assert.equal(run.stderr.includes('not-the-password-42'), false);
});
