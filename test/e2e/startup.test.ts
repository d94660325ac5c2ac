import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/migrations/index.js';
import { runCli } from '../helpers/cli.js';
import { BIN, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}


test('threadline --version and --help answer on stdout and exit 0', async () => {
  const version = await runCli(['--version']);
  assert.deepStrictEqual([version.code, version.stdout], [0, '0.1.0\n']);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /threadline serve \[options\]/);
});

test('bad usage and an unknown host exit 2 with one line on stderr', async (t) => {
  const db = join(tempDir(t), 'x.db');
  for (const [args, pattern] of [
    [['serve', '--db', db, '--durability', 'sometimes'], /--durability/],
    [['serve', '--db', db, '--host', 'no-such-host'], /host "no-such-host" not found/],
    [['serve', '--db', db, '--bogus'], /bogus/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ] as const) {
    const { code, stderr } = await runCli([...args]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, pattern);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});

test('a database from a newer schema makes serve exit 2 naming both versions, and the file is left untouched', sqliteOnly('about the SQLite file (its schema version, corruption, its default location)'), async (t) => {
  const path = join(tempDir(t), 'newer.db');
  const db = new Database(path);
  db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  db.close();
  const before = readFileSync(path);
  const { code, stderr } = await runCli(['serve', '--db', path]);
  assert.equal(code, 2);
  assert.match(stderr, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1} is newer than this Threadline supports \\(${LATEST_SCHEMA_VERSION}\\)`));
  assert.deepStrictEqual(readFileSync(path), before);
});

test('a corrupt database file makes serve exit 2 with one line, and the file is left untouched', sqliteOnly('about the SQLite file (its schema version, corruption, its default location)'), async (t) => {
  const path = join(tempDir(t), 'corrupt.db');
  writeFileSync(path, Buffer.from('this is not a database, just garbage bytes '.repeat(200)));
  const before = readFileSync(path);
  const { code, stderr } = await runCli(['serve', '--db', path]);
  assert.equal(code, 2);
  assert.match(stderr, /cannot open database/);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.deepStrictEqual(readFileSync(path), before);
});

test('serve creates the database in $XDG_DATA_HOME/threadline by default, and --db :memory: works', sqliteOnly('about the SQLite file (its schema version, corruption, its default location)'), async (t) => {
  const home = tempDir(t);
  const child = spawn(process.execPath, [BIN, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: home } });
  const exited = new Promise((resolve) => child.on('close', resolve));
  child.stdin.end();
  assert.equal(await exited, 0);
  assert.ok(readFileSync(join(home, 'threadline', 'threadline.db')).length > 0);

  const server = await startServer(t, { dbPath: ':memory:' });
  assert.equal(server.initializeResult!.dbPath, ':memory:');
  const { thread } = await server.client.request('thread/create', {});
  assert.equal((await server.client.request('thread/get', { threadId: thread.id })).thread.id, thread.id);
});

test('threadline demo (what npm start runs) drives a real session on a temp database, leaves the default one alone and exits 0', sqliteOnly('demo runs on its own temp SQLite file and checks the default file is untouched'), async (t) => {
  const home = tempDir(t);
  const { code, stdout } = await runCli(['demo'], { ...process.env, XDG_DATA_HOME: home });
  assert.equal(code, 0, stdout);
  assert.match(stdout, /database \/.*threadline-demo-[^/]+\/demo\.db/);
  assert.match(stdout, /echo\[3\]: queued two/);
  assert.match(stdout, /the 36 notifications received match it exactly/);
  assert.match(stdout, /next: /);
  assert.ok(!existsSync(join(home, 'threadline')), 'the default database was not created');
  const temp = /database (\/\S+demo\.db)/.exec(stdout)![1]!;
  assert.ok(!existsSync(temp), 'the temp database was removed');

  const kept = join(home, 'kept.db');
  assert.equal((await runCli(['demo', '--db', kept])).code, 0);
  assert.ok(readFileSync(kept).length > 0);
});
