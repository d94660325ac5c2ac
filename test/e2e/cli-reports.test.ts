import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { newThread, startServer } from '../helpers/server.js';

const ENV = { ...process.env, NO_COLOR: '1' };

test('threadline usage, export and import: a table with bars, a private document, a new thread from it or a transcript', async (t) => {
  const server = await startServer(t);
  const thread = await newThread(server.client, { title: 'reports', model: 'm-small' });
  for (const prompt of ['!usage 100 10\none', '!usage 300 30\ntwo']) {
    const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt });
    await server.client.request('turn/wait', { turnId: turn.id });
  }
  await server.spawned.close();
  const db = server.dbPath;
  const dir = mkdtempSync(join(tmpdir(), 'threadline-reports-'));

  const table = await runCli(['usage', '--db', db, '--by', 'model'], { env: ENV });
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^KEY\s+TURNS\s+INPUT\s+CACHED\s+OUTPUT\s+COST\s+CACHE HIT$/);
  assert.match(lines[1]!, /^m-small\s+2\s+400\s+0\s+40\s+—\s+0%\s+█{24}$/);
  assert.match(lines[2]!, /^total\s+2\s+400/);
  const json = JSON.parse((await runCli(['usage', '--db', db, '--by', 'thread', '--json'])).stdout) as { buckets: { key: string; inputTokens: number }[] };
  assert.deepEqual(json.buckets.map((b) => [b.key, b.inputTokens]), [[thread.id, 400]]);

  const file = join(dir, 'thread.json');
  const exported = await runCli(['export', '--db', db, thread.id, '-o', file], { env: ENV });
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the document is private');
  const document = JSON.parse(readFileSync(file, 'utf8')) as { format: string; turns: unknown[] };
  assert.deepEqual([document.format, document.turns.length], ['threadline.thread', 2]);

  const imported = await runCli(['import', '--db', db, file], { env: ENV });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^thr_\S+ {2}2 turns imported {2}reports\n$/);
  const transcript = join(dir, 'transcript.json');
  writeFileSync(transcript, JSON.stringify([{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'hello' }]));
  const fromTranscript = JSON.parse((await runCli(['import', '--db', db, transcript, '--title', 'chat log', '--json'])).stdout) as { thread: { title: string }; importedTurns: number };
  assert.deepEqual([fromTranscript.thread.title, fromTranscript.importedTurns], ['chat log', 1]);
});

test('threadline usage, export and import: bad usage is one line and exit 2; --help exits 0', async (t) => {
  const server = await startServer(t);
  await server.spawned.close();
  const dir = mkdtempSync(join(tmpdir(), 'threadline-reports-'));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ format: 'threadline.thread', version: 99 }));
  const cases: [string[], RegExp][] = [
    [['usage', '--db', server.dbPath, '--by', 'week'], /--by must be day, model or thread/],
    [['usage', '--db', server.dbPath, '--since', 'yesterday'], /since/],
    [['export', '--db', server.dbPath], /a THREAD_ID is needed/],
    [['export', '--db', server.dbPath, 'thr_nope'], /not found|thr_nope/i],
    [['import', '--db', server.dbPath, join(dir, 'missing.json')], /cannot read/],
    [['import', '--db', server.dbPath, broken], /version/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args, { env: ENV });
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  for (const command of ['usage', 'export', 'import']) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^threadline ${command} — `));
  }
});
