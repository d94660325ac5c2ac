import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { ThreadLeasedError } from '@threadline/protocol';
import { newThread, startServer, type TestServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// Issue 10 §7a without `unshare` (lease-pid-namespace.test.ts runs real namespaces): the owner
// row is rewritten to claim a pid that names no process here, as an owner in another PID
// namespace looks from outside. Only an owner recorded in this very namespace is judged by pid.

/** A pid that named a process a moment ago and names none now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setImmediate(resolve)); // reaped
  return child.pid!;
}

/** Sets columns of `server`'s owner row (it renews only heartbeat_at, so the change stays). */
function rewriteOwner(server: TestServer, set: { pid: number; pid_namespace?: string | null }): void {
  const db = new Database(server.dbPath);
  try {
    const assignments = Object.keys(set).map((column) => `${column} = @${column}`).join(', ');
    const changed = db.prepare(`UPDATE owners SET ${assignments} WHERE pid = @owner`).run({ ...set, owner: server.spawned.process.pid });
    assert.equal(changed.changes, 1);
  } finally {
    db.close();
  }
}

async function ownerAndOther(t: TestContext) {
  const owner = await startServer(t, { args: ['--lease-ttl', '60'] });
  const other = await startServer(t, { dbPath: owner.dbPath });
  const thread = await newThread(owner.client);
  const { turn } = await owner.client.request('thread/startTurn', { threadId: thread.id, prompt: '!hang' });
  return { owner, other, threadId: thread.id, turnId: turn.id };
}

for (const [what, pidNamespace] of [
  ['in another PID namespace', 'pidns:0:1'],
  ['recorded before migration 004 (no namespace)', null],
] as const) {
  test(`an owner ${what} whose pid names no process here keeps its turn until its lease expires`, sqliteOnly('writes owner rows into the SQLite file with better-sqlite3'), async (t) => {
    const { owner, other, threadId, turnId } = await ownerAndOther(t);
    const pid = await deadPid();
    rewriteOwner(owner, { pid, pid_namespace: pidNamespace });
    const leased = await other.client.request('thread/drain', { threadId }).then(() => undefined, (e: unknown) => e);
    assert.ok(leased instanceof ThreadLeasedError, `expected -32040, got ${String(leased)}`);
    assert.equal(leased.data.ownerPid, pid);
    assert.equal((await other.client.request('turn/get', { turnId })).turn.status, 'in_progress');
  });
}

test('an owner in this PID namespace whose pid names no process is dead at once (the check the others are spared)', sqliteOnly('writes owner rows into the SQLite file with better-sqlite3'), async (t) => {
  const { owner, other, threadId, turnId } = await ownerAndOther(t);
  rewriteOwner(owner, { pid: await deadPid() });
  const drained = await other.client.request('thread/drain', { threadId });
  assert.equal(drained.remaining, 0);
  const { turn } = await other.client.request('turn/get', { turnId });
  assert.deepStrictEqual([turn.status, turn.error], ['interrupted', 'server restarted']);
});
