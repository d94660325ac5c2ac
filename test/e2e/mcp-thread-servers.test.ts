import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread } from '../helpers/server.js';
import { EVERYTHING, mcpStatus, startEverythingHttp } from '../fixtures/mcp/harness.js';

// Issue 15: a thread's own MCP servers (thread/create { mcpServers }, ACP's shape).

type OfferedTool = { function: { name: string } };
const offered = (body: Record<string, unknown>) => ((body.tools as OfferedTool[] | undefined) ?? []).map((t) => t.function.name);
const SECRET = 'sekrit-token-4711';

test('mcp: a thread\'s own stdio server starts with its first turn, its tools are offered to that thread only, it gets its env, and the env value appears nowhere else', async (t) => {
  const { fake, server } = await startOpenAIServer(t, ['--log-level', 'debug']);
  const { client } = server;
  const mine = await newThread(client, {
    autoApprove: true,
    mcpServers: [{ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], env: [{ name: 'THREAD_TOKEN', value: SECRET }] }],
  });
  const other = await newThread(client, { autoApprove: true });
  assert.deepStrictEqual(mine.mcpServers, [{ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], env: [{ name: 'THREAD_TOKEN', value: '[redacted]' }] }]);

  // The first turn starts the servers in the background and does not wait for them.
  const ready = mcpStatus(server, 'everything', (s) => s.state === 'ready');
  fake.respond(textReply('hello'));
  assert.equal((await runTurn(server, mine.id, 'hi')).turn.status, 'completed');
  const status = await ready;
  assert.equal(status.threadId, mine.id, 'mcp/status names the thread the server belongs to');

  fake.respond(toolCallReply([{ id: 'e1', name: 'mcp__everything__echo', args: { message: 'ping' } }]), textReply('echoed'));
  const { items } = await runTurn(server, mine.id, 'echo');
  assert.ok(offered(fake.requests[1]!.body).includes('mcp__everything__echo'), offered(fake.requests[1]!.body).join(', '));
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, 'Echo: ping');

  fake.respond(textReply('no tools here'));
  await runTurn(server, other.id, 'hi');
  assert.deepStrictEqual(offered(fake.requests[3]!.body).filter((n) => n.startsWith('mcp__')), [], 'another thread never sees them');

  // Stored with its secret, shown nowhere: thread/get, thread/list, the event log, an export, the log.
  const shown = JSON.stringify([
    await client.request('thread/get', { threadId: mine.id }),
    await client.request('thread/list', {}),
    await client.request('thread/events', { threadId: mine.id }),
    await client.request('thread/export', { threadId: mine.id }),
    server.events.of(mine.id),
    server.stderr,
  ]);
  assert.ok(shown.includes('[redacted]'));
  assert.doesNotMatch(shown, new RegExp(SECRET));

  // …yet the server got it: its get-env tool shows its environment.
  fake.respond(toolCallReply([{ id: 'g1', name: 'mcp__everything__get-env', args: {} }]), textReply('ok'));
  const env = await runTurn(server, mine.id, 'env');
  assert.equal((JSON.parse(env.items.find((i) => i.kind === 'tool_result')!.detail!) as Record<string, string>).THREAD_TOKEN, SECRET);
});

test('mcp: a thread\'s own streamable HTTP server connects and answers; its header values read redacted', async (t) => {
  const url = await startEverythingHttp(t);
  const { fake, server } = await startOpenAIServer(t);
  const thread = await newThread(server.client, { autoApprove: true, mcpServers: [{ type: 'http', name: 'web', url, headers: [{ name: 'X-Token', value: SECRET }] }] });
  assert.deepStrictEqual(thread.mcpServers, [{ type: 'http', name: 'web', url, headers: [{ name: 'X-Token', value: '[redacted]' }] }]);
  const ready = mcpStatus(server, 'web', (s) => s.state === 'ready');
  fake.respond(textReply('hello'));
  await runTurn(server, thread.id, 'hi');
  assert.equal((await ready).threadId, thread.id);
  fake.respond(toolCallReply([{ id: 'a1', name: 'mcp__web__get-sum', args: { a: 2, b: 40 } }]), textReply('42'));
  const { items } = await runTurn(server, thread.id, 'add');
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, 'The sum of 2 and 40 is 42.');
});

for (const [what, mcpServers, field] of [
  ['a stdio server without command', [{ name: 'a', args: [], env: [] }], /command/],
  ['an env entry without value', [{ name: 'a', command: 'x', args: [], env: [{ name: 'K' }] }], /env\[0\]\.value/],
  ['an http server with a non-http URL', [{ type: 'http', name: 'w', url: 'ftp://x', headers: [] }], /http\(s\) URL/],
  ['two servers of one name', [{ name: 'a', command: 'x', args: [], env: [] }, { name: 'a', command: 'y', args: [], env: [] }], /two servers are named "a"/],
  ['a server list that is not an array', { a: 1 }, /array/],
] as const) {
  test(`mcp: thread/create with ${what} is -32602 naming the field, and creates nothing`, async (t) => {
    const { server } = await startOpenAIServer(t);
    await assert.rejects(server.client.request('thread/create', { mcpServers: mcpServers as never }), (error: { code: number; message: string; data?: unknown }) => {
      assert.equal(error.code, -32602);
      assert.match(`${error.message} ${JSON.stringify(error.data)}`, field);
      assert.match(JSON.stringify(error.data), /mcpServers/);
      return true;
    });
    assert.deepStrictEqual((await server.client.request('thread/list', {})).threads, []);
  });
}
