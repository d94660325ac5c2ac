import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ApprovalRequestParams } from '@threadline/protocol';
import { chunk, send, startSse, textReply, toolCallReply, type Responder } from '../helpers/fake-openai.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { newThread, type TestServer } from '../helpers/server.js';

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function turnOf(server: TestServer, params: { threadId: string; prompt: string; allowShell?: boolean; autoApprove?: boolean }) {
  const { turn } = await server.client.request('thread/startTurn', params);
  const done = (await server.events.turnCompleted(turn.id, 20_000)).payload.turn;
  const { items } = await server.client.request('turn/get', { turnId: turn.id });
  return { turn: done, items };
}

function recordApprovals(server: TestServer): ApprovalRequestParams[] {
  const asked: ApprovalRequestParams[] = [];
  server.client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: 'approve' };
  });
  return asked;
}

test('openai: a shell call on a turn with allowShell false is refused as a tool error before any approval, and never runs', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t, [], { initialize: { capabilities: { approvals: true } } });
  const asked = recordApprovals(server);
  fake.respond(toolCallReply([{ id: 's1', name: 'shell', args: { command: 'touch pwned' } }]), textReply('ok'));
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await turnOf(server, { threadId: thread.id, prompt: 'no shell please', allowShell: false });
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual((fake.requests[0]!.body.tools as { function: { name: string } }[]).map((x) => x.function.name), ['read_file', 'list_dir', 'write_file']);
  assert.deepStrictEqual(asked, [], 'no approval is asked for a tool the turn did not offer');
  assert.equal(existsSync(join(cwd, 'pwned')), false);
  const result = items.find((i) => i.kind === 'tool_result')!;
  assert.deepStrictEqual([result.status, result.detail], ['failed', 'error: shell is not allowed in this turn (allowShell: false); the command was not run']);
  assert.deepStrictEqual(fake.requests[1]!.body.messages.at(-1), { role: 'tool', tool_call_id: 's1', content: result.detail });
});

test('openai: with autoApprove and allowShell false, a shell call still never runs', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(toolCallReply([{ id: 's1', name: 'shell', args: { command: 'touch pwned' } }]), textReply('ok'));
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  await turnOf(server, { threadId: thread.id, prompt: 'no shell', allowShell: false });
  assert.equal(existsSync(join(cwd, 'pwned')), false);
  assert.match(fake.requests[1]!.body.messages.at(-1)!.content!, /^error: shell is not allowed in this turn/);
});

test('openai: on a thread without cwd no tools are offered and every tool call is refused; nothing is written relative to the server cwd', async (t) => {
  const serverCwd = tempDir(t, 'threadline-server-cwd-');
  writeFileSync(join(serverCwd, 'a.txt'), 'server file');
  const { fake, server } = await startOpenAIServer(t, [], { cwd: serverCwd });
  fake.respond(
    toolCallReply([
      { id: 'w1', name: 'write_file', args: { path: 'x.txt', content: 'x' } },
      { id: 'r1', name: 'read_file', args: { path: '../a.txt' } },
      { id: 's1', name: 'shell', args: { command: 'touch pwned' } },
    ]),
    textReply('ok'),
  );
  const thread = await newThread(server.client, { autoApprove: true });
  const { items } = await turnOf(server, { threadId: thread.id, prompt: 'do things' });
  assert.equal(fake.requests[0]!.body.tools, undefined, 'no tools are offered without a cwd');
  const results = items.filter((i) => i.kind === 'tool_result');
  assert.deepStrictEqual(
    results.map((r) => [r.status, r.detail]),
    ['write_file', 'read_file', 'shell'].map((name) => ['failed', `error: no tools are available: this thread has no working directory (cwd); ${name} was not run`]),
  );
  assert.equal(existsSync(join(serverCwd, 'undefined')), false);
  assert.equal(existsSync(join(serverCwd, 'pwned')), false);
});

test('openai: a tool name the host never offered is refused before approval', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t, [], { initialize: { capabilities: { approvals: true } } });
  const asked = recordApprovals(server);
  fake.respond(toolCallReply([{ id: 'x1', name: 'delete_everything', args: {} }]), textReply('ok'));
  const thread = await newThread(server.client, { cwd });
  const { items } = await turnOf(server, { threadId: thread.id, prompt: 'go' });
  assert.deepStrictEqual(asked, []);
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, 'error: there is no tool "delete_everything" in this turn (the tools are read_file, list_dir, write_file, shell); it was not run');
});

test('openai: a reply with more tool calls than the host takes in one round fails the turn saying so, and runs none of them', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t);
  fake.respond(toolCallReply(Array.from({ length: 129 }, (_, i) => ({ id: `c${i}`, name: 'write_file', args: { path: `f${i}`, content: '' } }))));
  const thread = await newThread(server.client, { cwd, autoApprove: true });
  const { turn, items } = await turnOf(server, { threadId: thread.id, prompt: 'go' });
  assert.deepStrictEqual([turn.status, turn.error], ['failed', 'the model sent more than 128 tool calls in one reply; refused']);
  assert.equal(items.filter((i) => i.kind === 'tool_call').length, 0);
  assert.equal(existsSync(join(cwd, 'f0')), false);
});

/** One write_file call whose arguments stream in 64 KiB pieces up to `total` bytes. */
function hugeWrite(total: number): Responder {
  return (_req, res) => {
    startSse(res);
    send(res, chunk({ role: 'assistant', content: null }));
    send(res, chunk({ tool_calls: [{ index: 0, id: 'big', type: 'function', function: { name: 'write_file', arguments: '{"path":"big.txt","content":"' } }] }));
    const piece = 'x'.repeat(64 * 1024);
    for (let sent = 0; sent < total; sent += piece.length) send(res, chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    send(res, chunk({ tool_calls: [{ index: 0, function: { arguments: '"}' } }] }));
    send(res, chunk({}, 'tool_calls'));
    send(res, '[DONE]');
    res.end();
  };
}

test('openai: tool-call arguments past maxToolArgumentBytes are not kept; the call is refused naming the limit, never approved or run, and no event carries them', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t, ['--host-option', 'maxToolArgumentBytes=100000'], { initialize: { capabilities: { approvals: true } } });
  const asked = recordApprovals(server);
  fake.respond(hugeWrite(8 * 1024 * 1024), textReply('ok'));
  const thread = await newThread(server.client, { cwd });
  const { turn, items } = await turnOf(server, { threadId: thread.id, prompt: 'write a lot' });
  assert.equal(turn.status, 'completed');
  assert.deepStrictEqual(asked, []);
  assert.equal(existsSync(join(cwd, 'big.txt')), false);
  const call = items.find((i) => i.kind === 'tool_call')!;
  assert.equal(call.detail, 'write_file (arguments over 100000 bytes)');
  assert.deepStrictEqual(call.metadata, { toolCallId: 'big', name: 'write_file', arguments: '{}', argumentsOverLimit: 100000 });
  const refusal = 'error: the arguments of write_file are over 100000 bytes (maxToolArgumentBytes); the call was not run';
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, refusal);
  const biggest = Math.max(...server.events.of(thread.id).map((e) => JSON.stringify(e).length));
  assert.ok(biggest < 10_000, `the largest event is ${biggest} bytes`);
  assert.deepStrictEqual(fake.requests[1]!.body.messages.slice(1), [
    { role: 'assistant', content: null, tool_calls: [{ id: 'big', type: 'function', function: { name: 'write_file', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'big', content: refusal },
  ]);
});

test('openai: the approval summary shows the command that runs, not another argument, with hidden characters escaped', async (t) => {
  const cwd = tempDir(t, 'threadline-cwd-');
  const { fake, server } = await startOpenAIServer(t, [], { initialize: { capabilities: { approvals: true } } });
  const asked: ApprovalRequestParams[] = [];
  server.client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: 'deny' };
  });
  fake.respond(
    toolCallReply([
      { id: 's1', name: 'shell', args: { path: 'README.md', command: 'rm -rf data' } },
      { id: 's2', name: 'shell', args: { command: 'ls\nrm -rf data' } },
      { id: 's3', name: 'shell', args: { command: 'echo safe \u202e#atad fr- mr' } },
      { id: 'w1', name: 'write_file', args: { path: 'notes.txt', content: 'héllo' } },
    ]),
    textReply('ok'),
  );
  const thread = await newThread(server.client, { cwd });
  await turnOf(server, { threadId: thread.id, prompt: 'go' });
  assert.deepStrictEqual(
    asked.map((a) => [a.summary, a.detail]),
    [
      ['shell rm -rf data', 'rm -rf data'],
      ['shell "ls\\nrm -rf data"', 'ls\nrm -rf data'],
      ['shell "echo safe \\u202E#atad fr- mr"', 'echo safe \u202e#atad fr- mr'],
      ['write_file notes.txt (6 bytes)', 'write notes.txt (6 bytes):\nhéllo'],
    ],
  );
});
