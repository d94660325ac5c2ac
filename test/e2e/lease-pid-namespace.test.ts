import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ThreadLeasedError, type ThreadlineClient } from '@threadline/protocol';
import { spawnThreadline } from '@threadline/protocol/node';
import { testDb } from '../helpers/test-db.js';
import { BIN, newThread, startServer } from '../helpers/server.js';

// Issue 10 §7a: a server in another PID namespace on the same host (a container with host
// networking, a bwrap/flatpak sandbox) cannot see the other's pid — or sees another process
// under it — and used to judge a live owner dead at once and take its turn. Each server here
// runs in a real new PID namespace (`unshare`, with its own /proc as a container has).

const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc', '--user', '--map-root-user', '--kill-child'];
const unshareWorks = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), 'true']).status === 0;
const skip = unshareWorks ? false : 'unshare cannot create a PID namespace here (see lease-pid-namespace-recorded.test.ts)';

interface Sandboxed {
  client: ThreadlineClient;
  kill(): Promise<void>;
}

/** `threadline serve` on `dbPath`, run as pid 1 of a new PID namespace (a `threadline` shim on PATH). */
async function startInNewPidNamespace(t: TestContext, dbPath: string, args: string[] = []): Promise<Sandboxed> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pidns-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shim = join(dir, 'threadline');
  writeFileSync(shim, `#!/bin/sh\nexec ${UNSHARE.join(' ')} '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  const stderr: string[] = [];
  const spawned = await spawnThreadline({
    args: ['--db', await testDb(dbPath), '--log-level', 'debug', ...args],
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    stderr: 'pipe',
  });
  spawned.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const kill = async () => {
    spawned.process.kill('SIGKILL'); // --kill-child takes the namespace's pid 1 (and so all of it) along
    await spawned.exited;
  };
  t.after(async () => {
    await kill();
    spawned.client.dispose();
    const errors = stderr.join('').split('\n').filter((line) => line.includes(' ERROR '));
    assert.deepStrictEqual(errors, [], 'the sandboxed server logged errors');
  });
  return { client: spawned.client, kill };
}

async function leaseError(p: Promise<unknown>): Promise<ThreadLeasedError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ThreadLeasedError, `expected -32040 ThreadLeased, got ${String(error)}`);
  return error;
}

/** Waits until the lease the error names has expired (a computed wait). */
async function untilExpired(error: ThreadLeasedError): Promise<void> {
  const ms = Date.parse(error.data.leaseExpiresAt as string) - Date.now() + 50;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function hang(client: ThreadlineClient) {
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  return { threadId: thread.id, turnId: turn.id };
}

test('a server in another PID namespace leaves a live owner\'s turn alone past its ttl, and takes it over only once the lease expired after a kill -9', { skip }, async (t) => {
  const owner = await startServer(t, { args: ['--lease-ttl', '2'] });
  const { threadId, turnId } = await hang(owner.client);
  const sandboxed = await startInNewPidNamespace(t, owner.dbPath);
  const first = await leaseError(sandboxed.client.request('thread/drain', { threadId }));
  assert.equal(first.data.ownerPid, owner.spawned.process.pid);
  await untilExpired(first); // the owner renewed meanwhile: still live
  const renewed = await leaseError(sandboxed.client.request('thread/interrupt', { threadId }));
  assert.ok((renewed.data.leaseExpiresAt as string) > (first.data.leaseExpiresAt as string), 'the owner renewed its lease');
  // Its pid cannot be judged from the sandbox: after kill -9 only the lease's expiry counts.
  await owner.kill();
  await untilExpired(await leaseError(sandboxed.client.request('thread/drain', { threadId })));
  const drained = await sandboxed.client.request('thread/drain', { threadId });
  assert.equal(drained.remaining, 0);
  const { turn } = await sandboxed.client.request('turn/get', { turnId });
  assert.deepStrictEqual([turn.status, turn.error], ['interrupted', 'server restarted']);
});

test('an owner in another PID namespace (pid 1 there) keeps its turn against a server outside, whose own pid 1 is another process', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pidns-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'threadline.db');
  const sandboxed = await startInNewPidNamespace(t, dbPath, ['--lease-ttl', '60']);
  const { threadId, turnId } = await hang(sandboxed.client);
  const outside = await startServer(t, { dbPath });
  const leased = await leaseError(outside.client.request('thread/drain', { threadId }));
  assert.equal(leased.data.ownerPid, 1);
  await leaseError(outside.client.request('thread/startTurn', { threadId, prompt: 'steer', delivery: 'steer' }));
  assert.equal((await outside.client.request('turn/get', { turnId })).turn.status, 'in_progress');
  const { turn } = await sandboxed.client.request('thread/interrupt', { threadId });
  assert.deepStrictEqual([turn!.status, turn!.error], ['interrupted', undefined]);
});
