import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ServerExitedError, type ThreadlineClient } from '@threadline/protocol';
import { spawnThreadline, type SpawnThreadlineOptions } from '@threadline/protocol/node';
import { BIN, newThread, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-spawn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** spawnThreadline must settle: a hang fails here instead of at the test runner's timeout. */
async function spawnFailure(options: SpawnThreadlineOptions): Promise<ServerExitedError> {
  const lines: string[] = [];
  const failed = spawnThreadline({ stderr: 'ignore', onStderr: (line) => lines.push(line), ...options }).then(
    () => assert.fail('spawnThreadline resolved although the server cannot start'),
    (error: unknown) => error,
  );
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('spawnThreadline neither resolved nor rejected within 15 s')), 15_000).unref(),
  );
  const error = await Promise.race([failed, timeout]);
  assert.ok(error instanceof ServerExitedError, `expected a ServerExitedError, got ${String(error)}`);
  assert.deepEqual(error.stderrTail, lines, 'stderrTail holds the lines onStderr received');
  return error;
}

test('an unknown --host: spawnThreadline rejects with the exit code and the server\'s line', async () => {
  const error = await spawnFailure({ bin: BIN, args: ['--db', ':memory:', '--host', 'no-such-host'] });
  assert.equal(error.exitCode, 2);
  assert.equal(error.signal, null);
  assert.match(error.stderrTail.join('\n'), /host "no-such-host" not found/);
  assert.match(error.message, /exited with code 2: threadline: host "no-such-host" not found/);
});

test('a database file that is not SQLite: spawnThreadline rejects with what the server said', sqliteOnly('a file that is not SQLite'), async (t) => {
  const db = join(tempDir(t), 'garbage.db');
  writeFileSync(db, 'this is not a database, just text long enough to fill a header page'.repeat(100));
  const error = await spawnFailure({ bin: BIN, args: ['--db', db] });
  assert.notEqual(error.exitCode, 0);
  assert.ok(error.stderrTail.length > 0, 'the server explained itself on stderr');
});

test('a wrong bin: node\'s own error, and a missing command: the spawn error as cause', async () => {
  const wrongBin = await spawnFailure({ bin: join(tmpdir(), 'no-such-dir', 'threadline') });
  assert.equal(wrongBin.exitCode, 1);
  assert.match(wrongBin.stderrTail.join('\n'), /Cannot find module/);

  const noCommand = await spawnFailure({ env: { PATH: '/nonexistent' } });
  assert.equal(noCommand.exitCode, null);
  assert.match(noCommand.message, /could not start the threadline server \(threadline\).*ENOENT/);
  assert.equal((noCommand.cause as NodeJS.ErrnoException).code, 'ENOENT');
});

test('the `node` option picks the Node.js that runs bin', async () => {
  const error = await spawnFailure({ bin: BIN, node: join(tmpdir(), 'no-such-node'), args: ['--db', ':memory:'] });
  assert.match(error.message, /could not start the threadline server \(.*no-such-node\).*ENOENT/);
});

/** Settles within 10 s or fails: a pending request must never hang. */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return Promise.race([
    promise.then((value) => ({ value }), (error: unknown) => ({ error })),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the request never settled')), 10_000).unref()),
  ]);
}

async function startLongTurn(client: ThreadlineClient) {
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!sleep 60000\nnever' });
  return turn;
}

test('kill -9 while turn/wait is pending: it rejects with ServerExitedError, so do later calls, and onClose fires', async (t) => {
  const server = await startServer(t, { allowErrorLogs: true });
  const turn = await startLongTurn(server.client);
  const closed = new Promise<ServerExitedError>((resolve) => server.spawned.onClose(resolve));
  const waiting = settled(server.client.request('turn/wait', { turnId: turn.id }));
  server.spawned.process.kill('SIGKILL');

  const outcome = await waiting;
  assert.ok('error' in outcome && outcome.error instanceof ServerExitedError, `got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.error.signal, 'SIGKILL');
  assert.equal(outcome.error.exitCode, null);
  assert.match(outcome.error.message, /was killed by SIGKILL/);
  assert.equal(await closed, outcome.error, 'onClose reports the same error');

  const later = await settled(server.client.request('thread/list'));
  assert.ok('error' in later && later.error === outcome.error, 'a later call rejects with the same ServerExitedError');
});

test('a client disposed while a request is pending: it rejects with ServerExitedError', async (t) => {
  const server = await startServer(t);
  const turn = await startLongTurn(server.client);
  const waiting = settled(server.client.request('turn/wait', { turnId: turn.id }));
  server.client.dispose();
  const outcome = await waiting;
  assert.ok('error' in outcome && outcome.error instanceof ServerExitedError);
  assert.match(outcome.error.message, /disposed/);
});

test('threadline demo exits non-zero with the server\'s line when its server cannot start', async () => {
  const child = spawn(process.execPath, [BIN, 'demo', '--db', ':memory:', '--host', 'no-such-host'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 2, `demo exited ${code}; stderr:\n${stderr}`);
  assert.match(stderr, /host "no-such-host" not found/);
});
