import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { postgresOfFile } from '../helpers/postgres.js';
import { followInspect } from '../helpers/inspect-follow.js';
import { assertWritesRefused } from '../helpers/read-only.js';
import { runCli } from '../helpers/run-cli.js';
import { newThread, startServer } from '../helpers/server.js';

// `serve --read-only --db postgres://…` (what inspect, usage and export spawn) on a PostgreSQL
// server of this file's own: reads served, writes refused -32030, the database left as it was.
const own = postgresOfFile();
const missing = own.missing;

/** Every row of every table, as text: what "unchanged" is compared on. */
async function snapshot(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    const out: string[] = [];
    for (const { t } of rows) {
      const dump = await client.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM "${t}" x ORDER BY 1`);
      out.push(t, ...dump.rows.map((row) => row.r));
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}

async function setSchemaVersion(url: string, version: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('UPDATE schema_version SET version = $1', [version]);
  await client.end();
}

test('inspect, export, usage and serve --read-only on a postgres:// URL: reads served, writes refused -32030 readOnly, nothing changed, no password shown', { skip: missing }, async (t) => {
  const url = await own.server.createDatabase();
  const writer = await startServer(t, { dbPath: url });
  const thread = await newThread(writer.client, { title: 'kept on postgres' });
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello read-only' });
  await writer.client.request('turn/wait', { turnId: turn!.id, timeoutMs: 30_000 });
  await writer.spawned.close();
  const before = await snapshot(url);
  const outputs: string[] = [];

  const table = await runCli(['inspect', '--db', url, '--json']);
  outputs.push(table.stdout, table.stderr);
  assert.equal(table.code, 0, table.stderr);
  const listed = JSON.parse(table.stdout) as { threads: { id: string; turns: number }[] };
  assert.deepEqual(listed.threads.map((th) => [th.id, th.turns]), [[thread.id, 1]]);

  const exported = await runCli(['export', thread.id, '--db', url]);
  outputs.push(exported.stdout, exported.stderr);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /hello read-only/);
  assert.match(exported.stdout, /kept on postgres/);

  const usage = await runCli(['usage', '--db', url, '--json']);
  outputs.push(usage.stdout, usage.stderr);
  assert.equal(usage.code, 0, usage.stderr);
  JSON.parse(usage.stdout);

  const reader = await startServer(t, { dbPath: url, args: ['--read-only'] });
  assert.equal(reader.initializeResult?.dbPath.includes(own.server.password), false, 'initialize shows the password');
  assert.equal((await reader.client.request('thread/turns', { threadId: thread.id })).turns.length, 1);
  const writes: [string, object][] = [
    ['thread/create', { title: 'no' }],
    ['thread/update', { threadId: thread.id, title: 'renamed' }],
    ['thread/startTurn', { threadId: thread.id, prompt: 'again' }],
    ['thread/delete', { threadId: thread.id }],
  ];
  await assertWritesRefused(reader.client, writes);
  await reader.spawned.close();
  outputs.push(...reader.stderr);
  assert.equal(await snapshot(url), before, 'the database is row for row the same (no owner row, no recovery)');
  for (const text of outputs) assert.equal(text.includes(own.server.password), false, `an output shows the password: ${text}`);
});

test('serve --read-only on a postgres:// URL refuses a schema of another version in one line, exit 2, and migrates nothing', { skip: missing }, async (t) => {
  const url = await own.server.createDatabase();
  const writer = await startServer(t, { dbPath: url });
  await writer.spawned.close();
  for (const [version, word] of [[1, 'older'], [999, 'newer']] as const) {
    await setSchemaVersion(url, version);
    const before = await snapshot(url);
    const run = await runCli(['serve', '--read-only', '--db', url]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`^threadline: cannot open database postgres[^\\n]*schema version ${version} is ${word}[^\\n]*\\n$`));
    assert.equal(run.stderr.includes(own.server.password), false);
    assert.equal(await snapshot(url), before, `a ${word} schema was touched`);
  }
});

test('inspect --follow on a postgres:// URL tails a turn another server is running', { skip: missing }, async (t) => {
  const url = await own.server.createDatabase();
  const writer = await startServer(t, { dbPath: url });
  const thread = await newThread(writer.client, { title: 'busy' });
  const { turn } = await writer.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });

  const follow = followInspect(t, url, thread.id, 10_000);
  const { seen, waitFor } = follow;
  await waitFor(() => seen.some((e) => e.kind === 'turn.started'), 'turn.started');
  await writer.client.request('thread/interrupt', { threadId: thread.id });
  await waitFor(() => seen.some((e) => e.kind === 'turn.completed'), 'turn.completed');
  assert.equal(seen.find((e) => e.kind === 'turn.completed')!.turnId, turn!.id);
  assert.deepEqual(seen.map((e) => e.seq), seen.map((_, i) => i + 1), 'every event once, in order, from seq 1');
  assert.equal(await follow.stop(), 0, follow.stderr);
  assert.equal(follow.stderr.includes(own.server.password), false);
});
