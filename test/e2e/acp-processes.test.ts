import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import * as acp from '@agentclientprotocol/sdk';
import { chunkText, startAcp, type AcpTestAgent, prompt } from '../helpers/acp-client.js';
import type { ThreadlineClient } from '@threadline/protocol';
import { BIN, startServer } from '../helpers/server.js';

// Issue 13: several `threadline acp` processes on one database, and the end of the connection.
// What every process sees is read through a third, read-only server on the same database (the
// protocol, as a user would), so these run on SQLite and Postgres alike.

async function firstChunk(agent: AcpTestAgent, sessionId: string): Promise<void> {
  while (!agent.updatesOf(sessionId).some((u) => u.sessionUpdate === 'agent_message_chunk')) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

test('a prompt sent in a second process while the first runs the turn is queued, then run and answered in the second', async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  const queued = prompt(second, sessionId, 'from the other window');
  // Wait until the second process has queued it (no event crosses processes but the database).
  await pendingAdmission(await observer(t, first.dbPath), sessionId);
  await first.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  assert.equal((await queued).stopReason, 'end_turn');
  assert.equal(chunkText(second.updatesOf(sessionId)), 'echo[2]: from the other window');
});

/** A read-only server on the same database: what every process sees, read through the protocol. */
async function observer(t: TestContext, dbPath: string): Promise<ThreadlineClient> {
  return (await startServer(t, { dbPath, args: ['--read-only'] })).client;
}

/** The status of the thread's latest turn, as the database holds it. */
async function latestTurnStatus(reader: ThreadlineClient, sessionId: string): Promise<string | undefined> {
  const { turns } = await reader.request('thread/get', { threadId: sessionId, includeTurns: true });
  return turns?.at(-1)?.status;
}

/** Until the thread has a pending admission (a prompt another process queued). */
async function pendingAdmission(reader: ThreadlineClient, sessionId: string): Promise<void> {
  while ((await reader.request('thread/get', { threadId: sessionId })).queued.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('session/cancel for a prompt whose turn another process runs stops that turn over there; the prompt answers `cancelled`', { timeout: 30_000 }, async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  const queued = prompt(second, sessionId, '!word-delay 60000\nqueued in the second window');
  const reader = await observer(t, first.dbPath);
  await pendingAdmission(reader, sessionId);
  // The first window cancels its own prompt and drains: it promotes and runs the second's prompt.
  await first.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await running).stopReason, 'cancelled');
  await firstChunk(second, sessionId);
  await second.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.equal((await queued).stopReason, 'cancelled');
  assert.equal(chunkText(second.updatesOf(sessionId)), 'echo[2]:');
  // The first process, which runs that turn, read the request from the database and stopped it.
  while ((await latestTurnStatus(reader, sessionId)) === 'in_progress') await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await latestTurnStatus(reader, sessionId), 'interrupted');
});

test('session/cancel in a window whose turn another process runs: the prompt there and the one queued here both answer `cancelled`', { timeout: 30_000 }, async (t) => {
  const first = await startAcp(t);
  const { sessionId } = await first.conn.agent.request(acp.methods.agent.session.new, { cwd: '/tmp', mcpServers: [] });
  const running = prompt(first, sessionId, '!word-delay 60000\nslow reply');
  await firstChunk(first, sessionId);
  const second = await startAcp(t, { dbPath: first.dbPath });
  await second.conn.agent.request(acp.methods.agent.session.load, { sessionId, cwd: '/tmp', mcpServers: [] });
  const queued = prompt(second, sessionId, 'queued in the second window');
  const reader = await observer(t, first.dbPath);
  await pendingAdmission(reader, sessionId);
  await second.conn.agent.notify(acp.methods.agent.session.cancel, { sessionId });
  assert.deepEqual((await Promise.all([running, queued])).map((r) => r.stopReason), ['cancelled', 'cancelled']);
  assert.equal(await latestTurnStatus(reader, sessionId), 'interrupted');
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
