import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { StorageError, ThreadlineClient } from '@threadline/protocol';
import { FramedMessageReader, FramedMessageWriter } from '@threadline/protocol/node';
import { BIN, newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// PROTOCOL.md §11: a write the database refuses (disk full, read-only, locked past busy_timeout)
// → -32030 with data.retryable; nothing half-written; reads keep working. The server reads two
// undocumented test hooks (src/store/sqlite/db.ts): THREADLINE_TEST_MAX_PAGE_COUNT caps the file like
// a full disk, THREADLINE_TEST_BUSY_TIMEOUT_MS shortens the wait for another writer's lock.

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-faults-'));
  t.after(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function hooks(vars: Record<string, number>): NodeJS.ProcessEnv {
  return { ...process.env, ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) };
}

/** The error is -32030 with this SQLite code and retryability. */
function isStorageError(sqliteCode: string, retryable: boolean) {
  return (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
    assert.equal(err.code, -32030);
    assert.deepStrictEqual(err.data, { kind: 'storage_error', sqliteCode, retryable });
    return true;
  };
}

/** A thread's whole visible state: record, queue, turns and log, to compare before and after a refused write. */
async function snapshot(client: ThreadlineClient, threadId: string) {
  const got = await client.request('thread/get', { threadId, includeTurns: true });
  const { events } = await client.request('thread/events', { threadId, limit: 10000 });
  return { ...got, events };
}

/** A database with one thread whose first turn completed, left by a server that shut down cleanly. */
async function seededDatabase(t: TestContext, dir: string) {
  const server = await startServer(t, { dbPath: join(dir, 'threadline.db') });
  const thread = await newThread(server.client, { title: 'seeded' });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hello' });
  await server.events.turnCompleted(turn.id);
  await server.spawned.close();
  return { dbPath: server.dbPath, threadId: thread.id };
}

/** Root ignores file modes: as root the server runs as `nobody`, so that read-only means read-only. */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * What `bin/threadline serve` needs at run time, copied where `nobody` can read it: the checkout
 * may live where `nobody` cannot enter (a `mktemp -d` folder, root's home). The bundle needs
 * only better-sqlite3 (its JS, its compiled addon, and `bindings`, which finds the addon).
 */
const RUNTIME_FILES = [
  'package.json', // "type": "module" for bin/threadline
  'bin',
  'dist',
  'node_modules/better-sqlite3/package.json',
  'node_modules/better-sqlite3/lib',
  'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'node_modules/bindings',
  'node_modules/file-uri-to-path',
];
let nobodyRuntime: { node: string; bin: string } | undefined;

/** `nobody` can run this file (it and every folder above it are open to others). */
function nobodyCanRun(file: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$0"', file], { uid: NOBODY, gid: NOBODY, cwd: '/' }).status === 0;
}

/**
 * bin/threadline in a copy of the runtime that `nobody` can read and run, and the node to run it
 * with: also copied when this one lives where `nobody` cannot enter (CI's Node 22 and 24 are
 * unpacked inside the checkout). Made once per file.
 */
function runtimeForNobody(): { node: string; bin: string } {
  if (nobodyRuntime) return nobodyRuntime;
  const root = mkdtempSync(join(tmpdir(), 'threadline-runtime-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const checkout = dirname(dirname(BIN));
  for (const path of RUNTIME_FILES) cpSync(join(checkout, path), join(root, path), { recursive: true });
  let node = process.execPath;
  if (!nobodyCanRun(node)) cpSync(node, (node = join(root, 'node')));
  chmodSync(root, 0o755); // mkdtemp made it 0700; its contents keep their (readable) modes
  const probe = spawnSync(node, ['-e', 'require("fs").accessSync(process.argv[1], require("fs").constants.R_OK)', join(root, 'bin/threadline')], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: root,
    encoding: 'utf8',
  });
  if (probe.status !== 0) throw new Error(`user nobody cannot run node on the copied runtime in ${root}: ${probe.error?.message ?? probe.stderr}`);
  return (nobodyRuntime = { node, bin: join(root, 'bin/threadline') });
}

/**
 * `bin/threadline serve` as a user whom the file modes bind (see `asRoot`), with a typed client.
 * A server that exits fails every request still waiting with its exit code and stderr, at once.
 */
function startConstrained(t: TestContext, dbPath: string, constrained = true) {
  const asNobody = asRoot && constrained;
  const runtime = asNobody ? runtimeForNobody() : { node: process.execPath, bin: BIN };
  const child = spawn(runtime.node, [runtime.bin, 'serve', '--db', dbPath, '--log-level', 'debug'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY, cwd: dirname(dbPath) } : {}),
  });
  child.stdin.on('error', () => {});
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const client = new ThreadlineClient(
    createMessageConnection(new FramedMessageReader(child.stdout, { framing: 'lsp' }), new FramedMessageWriter(child.stdin, 'lsp')),
  );
  // Requests race the process's exit: one that cannot start must not leave a test waiting forever.
  const gone = exited.then((code) => Promise.reject(new Error(`the server exited (code ${code}) before answering:\n${stderr.join('\n')}`)));
  gone.catch(() => {});
  const request = client.request.bind(client);
  client.request = ((...args: Parameters<typeof request>) => Promise.race([request(...args), gone])) as typeof client.request;
  t.after(async () => {
    child.kill('SIGKILL');
    await exited;
    client.dispose();
  });
  return { client, exited, stderr };
}

test('a full disk: a write is refused with -32030 retryable (SQLITE_FULL), nothing is half-written, reads are served, and writes succeed once space is freed', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'threadline.db');
  // Ballast: an idle thread holding 320 KB of queued prompts, written while the disk had room.
  const first = await startServer(t, { dbPath });
  const ballast = await newThread(first.client, { title: 'ballast' });
  await first.client.request('thread/startTurn', { threadId: ballast.id, prompt: '!hang' });
  for (let i = 0; i < 10; i++) {
    await first.client.request('thread/startTurn', { threadId: ballast.id, prompt: `${i} ${'b'.repeat(32_000)}`, delivery: 'queue' });
  }
  await first.client.request('thread/interrupt', { threadId: ballast.id, keepQueued: true });
  await first.spawned.close();
  const pages = new Database(dbPath, { readonly: true });
  const used = pages.pragma('page_count', { simple: true }) as number;
  pages.close();

  // Now the disk has room for about 40 more pages: fill it with 16 KB prompts until it refuses one.
  const { client } = await startServer(t, { dbPath, env: hooks({ THREADLINE_TEST_MAX_PAGE_COUNT: used + 40 }), args: ['--max-queued', '1000'] });
  const full = await newThread(client, { title: 'full' });
  const { turn: running } = await client.request('thread/startTurn', { threadId: full.id, prompt: '!hang' });
  const prompt = (i: number) => `filler ${i} ${'f'.repeat(16_000)}`;
  let accepted = 0;
  let refused: unknown;
  while (refused === undefined && accepted < 100) {
    await client.request('thread/startTurn', { threadId: full.id, prompt: prompt(accepted), delivery: 'queue' }).then(
      () => accepted++,
      (err: unknown) => (refused = err),
    );
    if (refused !== undefined) break;
  }
  assert.ok(accepted > 0 && accepted < 100, `the capped file took ${accepted} prompts`);
  isStorageError('SQLITE_FULL', true)(refused);
  const before = await snapshot(client, full.id);

  // Nothing half-written, reads served: the refused call left no admission, event or seq behind.
  await assert.rejects(
    client.request('thread/startTurn', { threadId: full.id, prompt: prompt(accepted), delivery: 'queue', clientRequestId: 'retry-me' }),
    isStorageError('SQLITE_FULL', true),
  );
  assert.deepStrictEqual(await snapshot(client, full.id), before);
  assert.equal(before.queued.length, accepted);
  assert.equal(before.thread.lastSeq, before.events.length);
  assert.deepStrictEqual(before.turns!.map((turn) => [turn.id, turn.status]), [[running.id, 'in_progress']]);
  assert.equal((await client.request('thread/list', {})).threads.length, 2);
  assert.equal((await client.request('turn/get', { turnId: running.id })).turn.status, 'in_progress');

  // Space frees (the ballast thread is deleted): the same call, retried, now succeeds once.
  assert.deepStrictEqual(await client.request('thread/delete', { threadId: ballast.id }), { deleted: true });
  const retried = await client.request('thread/startTurn', { threadId: full.id, prompt: prompt(accepted), delivery: 'queue', clientRequestId: 'retry-me' });
  assert.equal(retried.queued!.admittedSeq, before.thread.lastSeq + 1);
  const after = await snapshot(client, full.id);
  assert.deepStrictEqual(after.queued.map((a) => a.id), [...before.queued.map((a) => a.id), retried.queued!.id]);
  assert.deepStrictEqual(after.events.slice(0, before.events.length), before.events);
  assert.deepStrictEqual(after.events.slice(before.events.length).map((e) => e.kind), ['prompt.admitted']);
});

test('a read-only database file: reads are served, every write is refused with -32030 (SQLITE_READONLY, not retryable), and the file is not changed', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const dir = tempDir(t);
  const { dbPath, threadId } = await seededDatabase(t, dir);
  chmodSync(dbPath, 0o444);
  if (asRoot) chownSync(dir, NOBODY, NOBODY); // the directory stays writable: only the file is read-only
  const bytes = readFileSync(dbPath);

  const { client } = startConstrained(t, dbPath);
  await client.initialize();
  const before = await snapshot(client, threadId);
  assert.deepStrictEqual([before.thread.title, before.turns!.length, before.turns![0]!.status], ['seeded', 1, 'completed']);
  await assert.rejects(client.request('thread/create', { title: 'x' }), isStorageError('SQLITE_READONLY', false));
  await assert.rejects(client.request('thread/startTurn', { threadId, prompt: 'again' }), isStorageError('SQLITE_READONLY', false));
  await assert.rejects(client.request('thread/update', { threadId, title: 'renamed' }), isStorageError('SQLITE_READONLY', false));
  assert.deepStrictEqual(await snapshot(client, threadId), before);
  assert.deepStrictEqual((await client.request('thread/list', {})).threads.map((th) => th.id), [threadId]);
  await client.shutdown();
  assert.deepStrictEqual(readFileSync(dbPath), bytes);
});

test('a database in a read-only directory (no room for its -wal file) makes serve exit 2 with one line, and the file is left untouched', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const dir = tempDir(t);
  const { dbPath } = await seededDatabase(t, dir);
  const bytes = readFileSync(dbPath);
  if (asRoot) chownSync(dbPath, NOBODY, NOBODY); // the server's own file (0600): only the directory is read-only
  chmodSync(dir, 0o555);
  const { exited, stderr } = startConstrained(t, dbPath);
  assert.equal(await exited, 2, stderr.join('\n'));
  assert.equal(stderr.length, 1, stderr.join('\n'));
  assert.match(stderr[0]!, /^threadline: cannot open database .*threadline\.db: attempt to write a readonly database$/);
  chmodSync(dir, 0o755);
  assert.deepStrictEqual(readFileSync(dbPath), bytes);
});

test(
  'a read-only database file that needs recovery makes serve exit 2 with one line, and the file is left untouched',
  sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'),
  async (t) => {
    const dir = tempDir(t);
    const first = await startServer(t, { dbPath: join(dir, 'threadline.db') });
    const thread = await newThread(first.client);
    await first.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
    await first.kill();
    chmodSync(first.dbPath, 0o444);
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    const bytes = readFileSync(first.dbPath);
    const { exited, stderr } = startConstrained(t, first.dbPath);
    assert.equal(await exited, 2, stderr.join('\n'));
    assert.equal(stderr.length, 1, stderr.join('\n'));
    assert.match(stderr[0]!, /^threadline: /);
    assert.deepStrictEqual(readFileSync(first.dbPath), bytes);
  },
);

test('a database whose pages behind a valid header are garbage makes serve exit 2 with one line, and the file is left untouched', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const { dbPath } = await seededDatabase(t, tempDir(t));
  const bytes = readFileSync(dbPath);
  bytes.fill(0xab, 4096); // page 1 (header and the start of the schema) stays; every other page is garbage
  writeFileSync(dbPath, bytes);
  const { exited, stderr } = startConstrained(t, dbPath, false);
  assert.equal(await exited, 2, stderr.join('\n'));
  assert.equal(stderr.length, 1, stderr.join('\n'));
  assert.match(stderr[0]!, /^threadline: cannot open database .*threadline\.db: /);
  assert.deepStrictEqual(readFileSync(dbPath), bytes);
});

test(
  'a database whose in-progress-turns index page is garbage makes serve exit 2 with one line, and the file is left untouched',
  sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'),
  async (t) => {
    const { dbPath } = await seededDatabase(t, tempDir(t));
    const db = new Database(dbPath, { readonly: true });
    const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'turns_in_progress'").get() as { rootpage: number };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = readFileSync(dbPath);
    bytes.fill(0xab, (rootpage - 1) * pageSize, rootpage * pageSize);
    writeFileSync(dbPath, bytes);
    const { exited, stderr } = startConstrained(t, dbPath, false);
    assert.equal(await exited, 2, stderr.join('\n'));
    assert.equal(stderr.length, 1, stderr.join('\n'));
    assert.match(stderr[0]!, /^threadline: cannot open database .*threadline\.db: database disk image is malformed$/);
    assert.deepStrictEqual(readFileSync(dbPath), bytes);
  },
);

/** Another process's long write transaction on the file; released by the returned function. */
function holdWriteLock(dbPath: string): () => void {
  const other = new Database(dbPath);
  other.exec('BEGIN IMMEDIATE');
  other.prepare("UPDATE routing_rules SET model = 'x' WHERE 0").run();
  return () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  };
}

test('a database locked by another process past busy_timeout: writes are refused with -32030 retryable (SQLITE_BUSY), reads are served, and writes succeed once the lock is released', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const { client, dbPath } = await startServer(t, { env: hooks({ THREADLINE_TEST_BUSY_TIMEOUT_MS: 100 }) });
  const thread = await newThread(client, { title: 'locked' });
  const before = await snapshot(client, thread.id);
  const release = holdWriteLock(dbPath);
  t.after(release);

  await assert.rejects(client.request('thread/create', { title: 'blocked' }), isStorageError('SQLITE_BUSY', true));
  await assert.rejects(client.request('thread/startTurn', { threadId: thread.id, prompt: 'blocked' }), isStorageError('SQLITE_BUSY', true));
  assert.deepStrictEqual(await snapshot(client, thread.id), before);
  assert.deepStrictEqual((await client.request('thread/list', {})).threads.map((th) => th.id), [thread.id]);

  release();
  const { turn, queued } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'free again' });
  assert.equal(queued, null);
  const promoted = (await client.request('thread/events', { threadId: thread.id, afterSeq: before.thread.lastSeq })).events[0]!;
  assert.deepStrictEqual([promoted.seq, promoted.kind, promoted.turnId], [before.thread.lastSeq + 1, 'prompt.promoted', turn.id]);
  assert.equal((await client.request('turn/wait', { turnId: turn.id })).turn.status, 'completed');
});

test('a write that meets another process\'s lock waits for it (busy_timeout) and succeeds when it is released in time', sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'), async (t) => {
  const { client, dbPath } = await startServer(t, { env: hooks({ THREADLINE_TEST_BUSY_TIMEOUT_MS: 5000 }) });
  const release = holdWriteLock(dbPath);
  t.after(release);
  const started = performance.now();
  const created = client.request('thread/create', { title: 'waited' });
  // Fault injection, not a wait for state: the other process ends its transaction after 150 ms.
  setTimeout(release, 150);
  const { thread } = await created;
  assert.ok(performance.now() - started >= 140, 'the call waited for the lock');
  assert.equal((await client.request('thread/get', { threadId: thread.id })).thread.title, 'waited');
});

test(
  'a disk that fills while a turn streams: once space frees the turn ends, and each item\'s detail is its concatenated deltas',
  sqliteOnly('about faults of the SQLite file and its disk (full, read-only, permissions)'),
  async (t) => {
    const dir = tempDir(t);
    const dbPath = join(dir, 'threadline.db');
    const first = await startServer(t, { dbPath });
    const ballast = await newThread(first.client, { title: 'ballast' });
    for (let i = 0; i < 4; i++) {
      const { turn } = await first.client.request('thread/startTurn', { threadId: ballast.id, prompt: `${i} ${'b'.repeat(32_000)}` });
      await first.events.turnCompleted(turn.id);
    }
    await first.spawned.close();
    const pages = new Database(dbPath, { readonly: true });
    const used = pages.pragma('page_count', { simple: true }) as number;
    pages.close();

    const { client, events } = await startServer(t, { dbPath, env: hooks({ THREADLINE_TEST_MAX_PAGE_COUNT: used + 30 }), allowErrorLogs: true });
    const thread = await newThread(client);
    // About 120 KB of reply against about 120 KB of room left, streamed over about half a second.
    const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: `!word-delay 1\n!repeat 400\n${'w'.repeat(300)}` });
    await events.waitFor({ kind: 'item.delta', turnId: turn.id });
    await client.request('turn/wait', { turnId: turn.id, timeoutMs: 1500 }).catch(() => undefined);
    await client.request('thread/delete', { threadId: ballast.id });
    const { turn: ended } = await client.request('turn/wait', { turnId: turn.id, timeoutMs: 2000 });
    assert.notEqual(ended.status, 'in_progress');
    const { events: log } = await client.request('thread/events', { threadId: thread.id, limit: 10000 });
    for (const item of (await client.request('turn/get', { turnId: turn.id })).items.filter((i) => i.kind === 'agent_message')) {
      const streamed = log.filter((e) => e.kind === 'item.delta' && e.itemId === item.id).map((e) => (e.payload as { text: string }).text).join('');
      assert.equal(item.detail ?? '', streamed);
    }
  },
);
