import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { eventually } from '../helpers/processes.js';
import { newThread } from '../helpers/server.js';
import { mcpConfig, mcpStatus, stdioUnruly, tempDir } from '../fixtures/mcp/harness.js';

type OfferedTool = { function: { name: string } };
const offeredNames = (body: Record<string, unknown>) => ((body.tools as OfferedTool[] | undefined) ?? []).map((x) => x.function.name);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('mcp: a server that crashes mid-call fails that call as a tool error (not replayed), is restarted once, and fails for good after a second crash', async (t) => {
  const state = tempDir(t);
  const config = mcpConfig(t, { unruly: stdioUnruly({ UNRULY_STATE: state }) });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  const first = await mcpStatus(server, 'unruly', (s) => s.state === 'ready');
  const thread = await newThread(server.client, { autoApprove: true });

  fake.respond(toolCallReply([{ id: 'c1', name: 'mcp__unruly__crash', args: {} }]), textReply('it crashed'));
  const crashed = await runTurn(server, thread.id, 'crash it');
  assert.equal(crashed.turn.status, 'completed');
  const result = crashed.items.find((i) => i.kind === 'tool_result')!;
  assert.equal(result.status, 'failed');
  assert.match(result.detail!, /^error: the MCP server "unruly" went away during the call .*not retried/);
  assert.equal(fake.requests[1]!.body.messages.at(-1)!.content, result.detail);
  assert.equal(lines(join(state, 'crashed')).length, 1, 'the crashing call ran once: never replayed on the restarted server');

  const again = await mcpStatus(server, 'unruly', (s) => s.state === 'ready' && s.generation > first.generation + 1, 'restarted and ready');
  assert.equal(again.tools, first.tools);
  assert.equal(lines(join(state, 'starts')).length, 2);
  fake.respond(toolCallReply([{ id: 'p1', name: 'mcp__unruly__ping', args: {} }]), textReply('pinged'));
  const pinged = await runTurn(server, thread.id, 'ping');
  const pong = pinged.items.find((i) => i.kind === 'tool_result')!;
  assert.equal(pong.detail, `pong ${lines(join(state, 'starts'))[1]}`, 'the restarted process answers');

  fake.respond(toolCallReply([{ id: 'c2', name: 'mcp__unruly__crash', args: {} }]), textReply('crashed again'));
  await runTurn(server, thread.id, 'crash it again');
  const failed = await mcpStatus(server, 'unruly', (s) => s.state === 'failed', 'failed after the second crash');
  assert.equal(failed.tools, 0);
  assert.match(failed.error!, /exited 2 times/);
  assert.equal(lines(join(state, 'starts')).length, 2, 'restarted only once');

  fake.respond(textReply('still here'));
  const after = await runTurn(server, thread.id, 'hello');
  assert.equal(after.turn.status, 'completed');
  assert.deepStrictEqual(offeredNames(fake.requests.at(-1)!.body), [], 'a failed server offers nothing');
});

test('mcp: a call that hangs fails after the server\'s toolTimeoutSec as a tool error the model sees; the turn goes on', async (t) => {
  const config = mcpConfig(t, { unruly: stdioUnruly({}, { toolTimeoutSec: 1 }) });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  await mcpStatus(server, 'unruly', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'h1', name: 'mcp__unruly__hang', args: {} }]), textReply('gave up'));
  const thread = await newThread(server.client, { autoApprove: true });
  const started = performance.now();
  const { turn, items } = await runTurn(server, thread.id, 'hang');
  assert.equal(turn.status, 'completed');
  assert.ok(performance.now() - started < 8000);
  const result = items.find((i) => i.kind === 'tool_result')!;
  assert.deepStrictEqual([result.status, result.detail], ['failed', 'error: the MCP server "unruly" did not answer within 1 s (toolTimeoutSec); the call was abandoned']);
});

test('mcp: tools/list_changed refreshes the list — a tool the server adds is offered to the next turn; odd names are sanitised', async (t) => {
  const config = mcpConfig(t, { 'my.unruly server': stdioUnruly() });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  const ready = await mcpStatus(server, 'my.unruly server', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'g1', name: 'mcp__my_unruly_server__grow', args: {} }]), textReply('grown'));
  const thread = await newThread(server.client, { autoApprove: true });
  await runTurn(server, thread.id, 'grow');
  const before = offeredNames(fake.requests[0]!.body);
  assert.ok(before.includes('mcp__my_unruly_server__weird_name_with_spaces'), before.join(', '));
  assert.ok(!before.includes('mcp__my_unruly_server__added'));
  const grown = await mcpStatus(server, 'my.unruly server', (s) => s.tools === ready.tools + 1, 'the list grew');
  assert.equal(grown.state, 'ready');

  fake.respond(toolCallReply([{ id: 'a1', name: 'mcp__my_unruly_server__added', args: {} }, { id: 'w1', name: 'mcp__my_unruly_server__weird_name_with_spaces', args: {} }]), textReply('ok'));
  const { items } = await runTurn(server, thread.id, 'use the new tool');
  assert.ok(offeredNames(fake.requests[2]!.body).includes('mcp__my_unruly_server__added'));
  assert.deepStrictEqual(items.filter((i) => i.kind === 'tool_result').map((i) => i.detail), ['added ok', 'weird ok']);
});

test('mcp: a result over maxOutputBytes is cut like built-in tool output', async (t) => {
  const config = mcpConfig(t, { unruly: stdioUnruly() });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config, '--host-option', 'maxOutputBytes=1000']);
  await mcpStatus(server, 'unruly', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'b1', name: 'mcp__unruly__big', args: { bytes: 5000 } }]), textReply('ok'));
  const thread = await newThread(server.client, { autoApprove: true });
  const { items } = await runTurn(server, thread.id, 'big');
  assert.equal(items.find((i) => i.kind === 'tool_result')!.detail, `${'x'.repeat(1000)}\n[output truncated at 1000 bytes]\n`);
});

test('mcp: servers never block start-up or a turn — a turn before a slow server is ready runs without its tools, a missing command is `failed`', async (t) => {
  const config = mcpConfig(t, { slow: stdioUnruly({ UNRULY_DELAY_MS: '4000' }), missing: { command: '/nonexistent/threadline-mcp-server' } });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  const { servers } = await server.client.request('mcp/servers', {});
  assert.deepStrictEqual(servers.map((s) => s.server), ['slow', 'missing']);
  assert.equal(servers[0]!.state, 'starting');
  const missing = await mcpStatus(server, 'missing', (s) => s.state === 'failed');
  assert.match(missing.error!, /ENOENT|not found|no such file/i);

  fake.respond(textReply('no tools yet'));
  const thread = await newThread(server.client);
  const early = await runTurn(server, thread.id, 'hello');
  assert.equal(early.turn.status, 'completed');
  assert.deepStrictEqual(offeredNames(fake.requests[0]!.body), []);
  assert.equal((await server.client.request('mcp/servers', {})).servers[0]!.state, 'starting', 'the turn did not wait for the slow server');

  await mcpStatus(server, 'slow', (s) => s.state === 'ready');
  fake.respond(textReply('now with tools'));
  await runTurn(server, thread.id, 'again');
  assert.ok(offeredNames(fake.requests[1]!.body).includes('mcp__slow__ping'));
});

test('mcp: interrupting a turn during an MCP call ends the call at once; the server stays ready for the next turn', async (t) => {
  const state = tempDir(t);
  const config = mcpConfig(t, { unruly: stdioUnruly({ UNRULY_STATE: state }) }); // default timeout: 60 s
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  const ready = await mcpStatus(server, 'unruly', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'h1', name: 'mcp__unruly__hang', args: {} }]));
  const thread = await newThread(server.client, { autoApprove: true });
  const { turn } = await server.client.request('thread/startTurn', { threadId: thread.id, prompt: 'hang' });
  await eventually(() => existsSync(join(state, 'hanging')), 'the server is in the call');
  const started = performance.now();
  await server.client.request('thread/interrupt', { threadId: thread.id });
  const done = (await server.events.turnCompleted(turn.id, 10_000)).payload.turn;
  assert.equal(done.status, 'interrupted');
  assert.ok(performance.now() - started < 5000);
  assert.equal((await server.client.request('mcp/servers', {})).servers[0]!.generation, ready.generation, 'no restart: the server did not go away');
  fake.respond(toolCallReply([{ id: 'p1', name: 'mcp__unruly__ping', args: {} }]), textReply('ok'));
  const next = await runTurn(server, thread.id, 'ping');
  assert.match(next.items.find((i) => i.kind === 'tool_result')!.detail!, /^pong \d+$/);
});
