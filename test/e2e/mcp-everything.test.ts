import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApprovalRequestParams } from '@threadline/protocol';
import { textReply, toolCallReply } from '../helpers/fake-openai.js';
import { runTurn, startOpenAIServer } from '../helpers/openai-server.js';
import { newThread } from '../helpers/server.js';
import { mcpConfig, mcpStatus, startEverythingHttp, stdioEverything } from '../fixtures/mcp/harness.js';

type OfferedTool = { function: { name: string; description: string; parameters: Record<string, unknown> } };

test('mcp: server-everything over stdio — its tools are offered namespaced, echo runs after a `tool` approval, and the model gets its answer', async (t) => {
  const config = mcpConfig(t, { everything: stdioEverything() });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config], { initialize: { capabilities: { approvals: true } } });
  const ready = await mcpStatus(server, 'everything', (s) => s.state === 'ready');
  assert.ok(ready.tools >= 5, `server-everything offers its tools (${ready.tools})`);
  const asked: ApprovalRequestParams[] = [];
  server.client.onApprovalRequest((params) => {
    asked.push(params);
    return { decision: 'approve' };
  });
  fake.respond(toolCallReply([{ id: 'm1', name: 'mcp__everything__echo', args: { message: 'hello from the model' } }]), textReply('done'));
  const thread = await newThread(server.client); // no cwd: MCP tools do not need one
  const { turn, items } = await runTurn(server, thread.id, 'echo something');
  assert.equal(turn.status, 'completed');

  const offered = fake.requests[0]!.body.tools as OfferedTool[];
  const names = offered.map((x) => x.function.name);
  assert.ok(names.includes('mcp__everything__echo') && names.includes('mcp__everything__get-sum'), names.join(', '));
  for (const name of names) assert.match(name, /^[a-zA-Z0-9_-]{1,64}$/);
  const echo = offered.find((x) => x.function.name === 'mcp__everything__echo')!;
  assert.equal((echo.function.parameters as { type: string }).type, 'object');

  assert.equal(asked.length, 1);
  assert.equal(asked[0]!.kind, 'tool');
  assert.equal(asked[0]!.summary, 'everything: echo {"message":"hello from the model"}');
  assert.match(asked[0]!.detail, /MCP server everything, tool echo/);

  const call = items.find((i) => i.kind === 'tool_call')!;
  const result = items.find((i) => i.kind === 'tool_result')!;
  assert.equal(call.detail, asked[0]!.summary);
  assert.deepStrictEqual([result.status, result.detail], ['completed', 'Echo: hello from the model']);
  assert.deepStrictEqual(fake.requests[1]!.body.messages.at(-1), { role: 'tool', tool_call_id: 'm1', content: 'Echo: hello from the model' });
});

test('mcp: a denied MCP call never reaches the server and the model is told', async (t) => {
  const config = mcpConfig(t, { everything: stdioEverything() });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config], { initialize: { capabilities: { approvals: true } } });
  await mcpStatus(server, 'everything', (s) => s.state === 'ready');
  server.client.onApprovalRequest(() => ({ decision: 'deny' }));
  fake.respond(toolCallReply([{ id: 'm1', name: 'mcp__everything__echo', args: { message: 'x' } }]), textReply('ok'));
  const thread = await newThread(server.client);
  const { items } = await runTurn(server, thread.id, 'echo');
  const result = items.find((i) => i.kind === 'tool_result')!;
  assert.deepStrictEqual([result.status, result.detail], ['failed', 'error: the user denied this tool call']);
});

test('mcp: a stdio server gets the minimal environment plus its configured env, never OPENAI_API_KEY or other server variables', async (t) => {
  const config = mcpConfig(t, { everything: { ...stdioEverything(), env: { GIVEN_TO_SERVER: 'yes' } } });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config], { env: { THREADLINE_PRIVATE: 'private', PATH: process.env.PATH } });
  await mcpStatus(server, 'everything', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'e1', name: 'mcp__everything__get-env', args: {} }]), textReply('ok'));
  const thread = await newThread(server.client, { autoApprove: true });
  const { items } = await runTurn(server, thread.id, 'env');
  const env = JSON.parse(items.find((i) => i.kind === 'tool_result')!.detail!) as Record<string, string>;
  assert.equal(env.GIVEN_TO_SERVER, 'yes');
  assert.equal(env.OPENAI_API_KEY, undefined);
  assert.equal(env.THREADLINE_PRIVATE, undefined);
  for (const name of Object.keys(env)) assert.match(name, /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|TERM|TMPDIR|TZ|LC_[A-Z_]+|GIVEN_TO_SERVER)$/, `${name} is not in the minimal environment`);
});

test('mcp: server-everything over streamable HTTP on 127.0.0.1 — get-sum answers the model', async (t) => {
  const url = await startEverythingHttp(t);
  const config = mcpConfig(t, { web: { url } });
  const { fake, server } = await startOpenAIServer(t, ['--mcp-config', config]);
  await mcpStatus(server, 'web', (s) => s.state === 'ready');
  fake.respond(toolCallReply([{ id: 'a1', name: 'mcp__web__get-sum', args: { a: 2, b: 40 } }]), textReply('42'));
  const thread = await newThread(server.client, { autoApprove: true });
  const { items } = await runTurn(server, thread.id, 'add');
  const result = items.find((i) => i.kind === 'tool_result')!;
  assert.deepStrictEqual([result.status, result.detail], ['completed', 'The sum of 2 and 40 is 42.']);
  assert.equal(fake.requests[1]!.body.messages.at(-1)!.content, 'The sum of 2 and 40 is 42.');
});
