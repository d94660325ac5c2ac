import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, type AcpTestAgent, prompt } from '../helpers/acp-client.js';
import { BIN, startServer } from '../helpers/server.js';
import { sqliteOnly } from '../helpers/test-db.js';

// Issue 13: several `threadline acp` processes on one database, and the end of the connection.

async function firstChunk(agent: AcpTestAgent, sessionId: string): Promise<void> {
  while (!agent.updatesOf(sessionId).some((u) => u.sessionUpdate === 'agent_message_chunk')) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

test('a prompt sent in a second process while the first runs the turn is queued, then run and answered in the second', sqliteOnly('waits on the SQLite file read with better-sqlite3'), async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  const queued = prompt(second, sessionId, 'from the other window');
  // Wait until the second process has queued it (no event crosses processes but the database).
  const db = new Database(first.dbPath, { readonly: true });
  t.after(() => db.close());
  const pending = db.prepare("SELECT count(*) AS n FROM admissions WHERE thread_id = ? AND state = 'pending'");
  while ((pending.get(sessionId) as { n: number }).n === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await first.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  assert.equal((await queued).stopReason, 'end_turn');
  assert.equal(chunkText(second.updatesOf(sessionId)), 'echo[2]: from the other window');
});

/** The status of the thread's latest turn, straight from the database (what every process sees). */
function latestTurnStatus(dbPath: string, sessionId: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT status FROM turns WHERE thread_id = ? ORDER BY rowid DESC LIMIT 1').get(sessionId) as { status: string }).status;
  } finally {
    db.close();
  }
}

async function pendingAdmission(dbPath: string, sessionId: string, t: { after: (fn: () => void) => void }): Promise<void> {
  const db = new Database(dbPath, { readonly: true });
  t.after(() => db.close());
  const pending = db.prepare("SELECT count(*) AS n FROM admissions WHERE thread_id = ? AND state = 'pending'");
  while ((pending.get(sessionId) as { n: number }).n === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('session/cancel for a prompt whose turn another process runs stops that turn over there; the prompt answers `cancelled`', { timeout: 30_000, ...sqliteOnly('reads the SQLite file with better-sqlite3') }, async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  const queued = prompt(second, sessionId, '!word-delay 60000\nqueued in the second window');
  await pendingAdmission(first.dbPath, sessionId, t);
  // The first window cancels its own prompt and drains: it promotes and runs the second's prompt.
  await first.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  await firstChunk(second, sessionId);
  await second.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await queued).stopReason, 'cancelled');
  assert.equal(chunkText(second.updatesOf(sessionId)), 'echo[2]:');
  // The first process, which runs that turn, read the request from the database and stopped it.
  while (latestTurnStatus(first.dbPath, sessionId) === 'in_progress') await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(latestTurnStatus(first.dbPath, sessionId), 'interrupted');
});

test('session/cancel in a window whose turn another process runs: the prompt there and the one queued here both answer `cancelled`', { timeout: 30_000, ...sqliteOnly('reads the SQLite file with better-sqlite3') }, async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  await second.conn.agent.request(acp.methods.agent.session.load, { sessionId, cwd: '/tmp', mcpServers: [] });
  const queued = prompt(second, sessionId, 'queued in the second window');
  await pendingAdmission(first.dbPath, sessionId, t);
  await second.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.deepEqual((await Promise.all([running, queued])).map((r) => r.stopReason), ['cancelled', 'cancelled']);
  assert.equal(latestTurnStatus(first.dbPath, sessionId), 'interrupted');
  assert.ok(!chunkText(first.updatesOf(sessionId)).includes('queued'));
  // The session works again from either window.
  assert.equal((await prompt(second, sessionId, 'again')).stopReason, 'end_turn');
});

test('a title set over Threadline\'s own protocol by another process reaches the ACP session as session_info_update', async (t) => {
  const agent = await startAcp(t);
  const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const server = await startServer(t, { dbPath: agent.dbPath });
  await server.client.request('thread/update', { threadId: sessionId, title: 'Named elsewhere' });
  const info = await agent.updateOf(sessionId, 'session_info_update');
  assert.equal(info.title, 'Named elsewhere');
  assert.match(info.updatedAt ?? '', /^\d{4}-/);
});

test('closing stdin mid-turn ends the process with exit code 0', async (t) => {
  const agent = await startAcp(t);
  const { sessionId } = await agent.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  void prompt(agent, sessionId, '!word-delay 60000\nslow reply').catch(() => undefined);
  await firstChunk(agent, sessionId);
  const exit = new Promise<number | null>((resolve) => agent.child.once('exit', (code) => resolve(code)));
  agent.child.stdin!.end();
  assert.equal(await exit, 0);
});

test('threadline acp takes serve\'s options: an unknown one is a usage error (exit 2), stdout untouched', () => {
  const result = spawnSync(process.execPath, [BIN, 'acp', '--bogus'], { encoding: 'utf8', input: '' });
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /unknown option --bogus/);
});
